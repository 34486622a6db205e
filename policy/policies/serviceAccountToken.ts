import { leftToLiveObject, validatePods } from "./pods";
import { ResourceValidationPolicy } from "./types";

/** The service account a pod gets when it names none. */
const DEFAULT_ACCOUNT = "default";

/**
 * A pod that runs as its namespace's default service account mounts no API token. The default
 * account is there for every pod and is granted nothing of its own, so its token is a credential
 * the pod does not use and an intruder would; a pod that calls the API runs as an account of its
 * own, and is left alone.
 */
export const serviceAccountToken: ResourceValidationPolicy = {
  name: "service-account-token",
  description:
    "Pods that run as the default service account set automountServiceAccountToken: false.",
  enforcementLevel: "mandatory",
  validateResource: validatePods((pod, _args, report) => {
    const named = pod.spec.serviceAccountName ?? pod.spec.serviceAccount;
    const automount = pod.spec.automountServiceAccountToken;
    // A patch decides only what it sets: which account, and whether its token is mounted.
    if (leftToLiveObject(pod, named) || leftToLiveObject(pod, automount)) {
      return;
    }
    const account = named ?? DEFAULT_ACCOUNT;
    if (account === DEFAULT_ACCOUNT && automount !== false) {
      report(
        `${pod.subject} runs as the default service account and automountServiceAccountToken is ${automount === true ? "true" : "unset (which mounts the token)"}; accepted: automountServiceAccountToken: false, or a service account of its own if it calls the Kubernetes API.`,
      );
    }
  }),
};
