import * as pulumi from "@pulumi/pulumi";

/** How kubectl reaches the cluster the kubernetes provider uses. */
export interface KubeAccess {
  /**
   * `kubernetes:kubeconfig` (a path or the kubeconfig itself), always as a secret: the check runner
   * gets it on stdin, so it is never a plain input, an argument or a file left behind. Which of the
   * two it is, the runner (and `npm run verify`) decide by one function, checks/kubeconfig.ts's
   * kubeconfigSource; nothing here reads it.
   */
  readonly kubeconfig?: pulumi.Output<string>;
  /** `kubernetes:context`. */
  readonly context?: string;
}

/** Reads the kubernetes provider's own config keys, so kubectl follows the provider. */
export function loadKubeAccess(): KubeAccess {
  const config = new pulumi.Config("kubernetes");
  const kubeconfig = config.getSecret("kubeconfig");
  const context = config.get("context");
  return {
    ...(kubeconfig ? { kubeconfig } : {}),
    ...(context ? { context } : {}),
  };
}
