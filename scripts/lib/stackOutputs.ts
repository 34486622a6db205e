import { Verification } from "../../checks/contract/types";

/** The program's stack outputs (index.ts's exports), as `pulumi stack output --json` prints them. */
export interface StackOutputs {
  namespace: string;
  nginxPodIp: string;
  nginxPodUid: string;
  busyboxPodIp: string;
  serviceClusterIp: string;
  nginxNode: string;
  busyboxNode: string;
  verification: Verification;
  report: string;
}
