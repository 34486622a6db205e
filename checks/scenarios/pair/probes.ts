import { CheckPlan, PolicyPlan } from "../../contract/types";
import { apiServerGet, dnsLookup, SERVICE_WAIT_FUNCTION } from "../../probe/commands";
import { Job, ScriptSpec } from "../../probe/script";
import { witnessToken } from "../../witness/request";
import { fqdnOf, ownJobs, serviceBoundSeconds, serviceJob, ServiceSpec } from "../../plan/client";
import { pathBoundSeconds, pathJobs, PathSpec } from "../../plan/paths";

/**
 * The pair's probes as data: what the client pod and the stranger pod run (probe/script.ts renders
 * them). The client reaches the nginx pod by IP and the Service by name, FQDN and ClusterIP, each
 * for the page and for who served it; asks DNS; pings; reads its own interface and routes; and
 * fills the path's MTU. The stranger, which no policy lets in, must be refused.
 */

/** The fully qualified DNS name of the plan's Service. */
export function serviceFqdn(plan: CheckPlan): string {
  return fqdnOf({
    name: plan.serviceName,
    namespace: plan.namespace,
    clusterDomain: plan.clusterDomain,
  });
}

/**
 * The client script's deadline, in seconds: its longest chain of probes that wait on one another,
 * each at its worst, plus two seconds. The chains run side by side, so a broken network costs one
 * chain, not the sum of every probe.
 */
export function podScriptDeadlineSeconds(plan: CheckPlan): number {
  const t = plan.timeoutSeconds;
  const chains = [serviceBoundSeconds(pairService(plan), t), pathBoundSeconds(podPath(plan), t)];
  return Math.ceil(Math.max(...chains)) + 2;
}

/** The client's path to the nginx pod, by its IP. */
export function podPath(plan: CheckPlan): PathSpec {
  return {
    host: plan.serverPodIp,
    port: plan.serverPort,
    sections: {
      page: "pod-ip-http",
      identity: "pod-ip-identity",
      ping: "ping",
      large: "large-http",
      mtu: "mtu-ping",
    },
    witness: { identity: "pod-ip-identity", large: "pod-ip-large" },
    pingCount: plan.pingCount,
  };
}

/** The client's paths to the Service, one per address: the page, and who served it. */
export function servicePaths(plan: CheckPlan): PathSpec[] {
  const by = (how: string, host: string): PathSpec => ({
    host,
    port: plan.servicePort,
    sections: { page: `service-${how}-http`, identity: `service-${how}-identity` },
    witness: { identity: `service-${how}-identity` },
  });
  return [
    by("dns", plan.serviceName),
    by("fqdn", serviceFqdn(plan)),
    by("clusterip", plan.serviceClusterIp),
  ];
}

/** The Service as the client probes it: by name, FQDN and ClusterIP. */
function pairService(plan: CheckPlan): ServiceSpec {
  return {
    name: plan.serviceName,
    namespace: plan.namespace,
    clusterDomain: plan.clusterDomain,
    port: plan.servicePort,
    paths: servicePaths(plan),
  };
}

/** What the client pod runs: its path to the nginx pod, the Service, its own network. */
export function clientScript(plan: CheckPlan, nonce: string): ScriptSpec {
  const t = plan.timeoutSeconds;
  const token = witnessToken(nonce);
  const jobs: Job[] = [
    ...pathJobs(podPath(plan), token, t),
    serviceJob(pairService(plan), token, t),
    ...ownJobs(t, true),
  ];
  return {
    nonce,
    jobs,
    parallelism: jobs.length,
    deadlineSeconds: podScriptDeadlineSeconds(plan),
    functions: SERVICE_WAIT_FUNCTION,
  };
}

/**
 * What the stranger runs: the Kubernetes API's ClusterIP, which no policy of the lab covers (it
 * proves the stranger alive, by IP, not DNS, and its wall time sets the refusals' bound), then
 * the nginx pod's IP and the Service's ClusterIP, which the policies must refuse (no retries: a
 * drop is what is expected); beside them, on its own, the Service's name at CoreDNS. A refusal
 * then stands whatever CoreDNS does, and each probe has only its own fate.
 */
export function strangerScript(plan: CheckPlan, policy: PolicyPlan, nonce: string): ScriptSpec {
  const token = witnessToken(nonce);
  const t = plan.timeoutSeconds;
  const refusals: Job[] = strangerPaths(plan, policy).flatMap((path) => pathJobs(path, token, t));
  const jobs: Job[] = [
    [
      { probe: { name: "stranger-api", attempts: 1, command: apiServerGet(t) } },
      { together: refusals },
    ],
    [{ probe: { name: "stranger-dns", attempts: 1, command: dnsLookup(serviceFqdn(plan), t) } }],
  ];
  return {
    nonce,
    jobs,
    parallelism: jobs.length,
    // The API at its timeout, then a refusal at its bound after as long again of unrouted tries.
    deadlineSeconds: t + 2 * policy.denyBoundSeconds + 2,
  };
}

/** The stranger's paths, which the policies must refuse: the nginx pod's IP, the Service's ClusterIP. */
export function strangerPaths(plan: CheckPlan, policy: PolicyPlan): PathSpec[] {
  const refused = (name: string, host: string, port: number): PathSpec => ({
    host,
    port,
    sections: { identity: name },
    witness: { identity: name },
    refusedWithinSeconds: policy.denyBoundSeconds,
    refusalScaledBy: "stranger-api",
  });
  return [
    refused("stranger-pod-ip", plan.serverPodIp, plan.serverPort),
    refused("stranger-service", plan.serviceClusterIp, plan.servicePort),
  ];
}
