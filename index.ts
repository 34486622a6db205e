import { loadLabConfig } from "./config";
import { PodToPodLab } from "./components";

// The stack's config, validated, makes one lab with the walkthrough's object names: the package's
// component (plugin.ts), which other Pulumi programs add in their own language, is this program.
const lab = new PodToPodLab("pod-to-pod", { ...loadLabConfig(), walkthroughNames: true });

export const namespace = lab.namespace;
export const nginxPodIp = lab.nginxPodIp;
export const nginxPodUid = lab.nginxPodUid;
export const busyboxPodIp = lab.busyboxPodIp;
export const serviceClusterIp = lab.serviceClusterIp;
export const nginxNode = lab.nginxNode;
export const busyboxNode = lab.busyboxNode;
export const networkPolicies = lab.networkPolicies;
export const verification = lab.verification;
export const report = lab.report;
