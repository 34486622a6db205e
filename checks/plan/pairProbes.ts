import { CheckPlan, PolicyPlan } from "../contract/types";
import {
  apiServerGet,
  dnsLookup,
  gatewayPing,
  httpUrl,
  IP_ADDR_ETH0,
  IP_ROUTE,
  PROBE_ATTEMPTS,
  SERVICE_WAIT_FUNCTION,
  serviceWait,
} from "../probe/commands";
import { Job, ScriptSpec } from "../probe/script";
import { witnessToken } from "../witness/request";
import { pathBoundSeconds, pathJobs, PathSpec } from "./paths";

/**
 * The pair's probes as data: what the client pod and the stranger pod run (probe/script.ts renders
 * them). The client reaches the nginx pod by IP and the Service by name, FQDN and ClusterIP, each
 * for the page and for who served it; asks DNS; pings; reads its own interface and routes; and
 * fills the path's MTU. The stranger, which no policy lets in, must be refused.
 */

/**
 * How long a request the policies must refuse may go unanswered before it counts as refused: a
 * dropped SYN is retried after a second, so two seconds shows a drop, and the stranger's probes
 * run at once, so this is all the isolation adds to a run.
 */
export const DENY_BOUND_SECONDS = 2;

/** The fully qualified DNS name of the plan's Service. */
export function serviceFqdn(plan: CheckPlan): string {
  return `${plan.serviceName}.${plan.namespace}.svc.${plan.clusterDomain}`;
}

/** How long, at most, the client waits for a new Service to answer before probing it. */
export function serviceReadyBoundMs(plan: CheckPlan): number {
  return 2 * plan.timeoutSeconds * 1000;
}

/**
 * The longer bound while CoreDNS answers but does not know the Service's name yet (NXDOMAIN): seen
 * here, a Service created right after a k3s restart stayed NXDOMAIN for more than 16 s.
 */
export function serviceNameLagBoundMs(plan: CheckPlan): number {
  return Math.max(serviceReadyBoundMs(plan), 40_000);
}

/** The Service's three addresses, each probed for the page and for who served it. */
export function serviceTargets(plan: CheckPlan): Array<[string, string, string]> {
  return [
    ["service-dns-http", "service-dns-identity", plan.serviceName],
    ["service-fqdn-http", "service-fqdn-identity", serviceFqdn(plan)],
    ["service-clusterip-http", "service-clusterip-identity", plan.serviceClusterIp],
  ];
}

/**
 * The client script's deadline, in seconds: its longest chain of probes that wait on one another,
 * each at its worst, plus two seconds. The chains run side by side, so a broken network costs one
 * chain, not the sum of every probe.
 */
export function podScriptDeadlineSeconds(plan: CheckPlan): number {
  const t = plan.timeoutSeconds;
  // The bounded wait for the Service (its last round may start just before the bound: two 2 s
  // probes), then a Service's page and its identity.
  const service =
    serviceNameLagBoundMs(plan) / 1000 + 4 + pathBoundSeconds(servicePaths(plan)[0], t);
  return Math.ceil(Math.max(service, pathBoundSeconds(podPath(plan), t))) + 2;
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
  return serviceTargets(plan).map(([page, identity, host]) => ({
    host,
    port: plan.servicePort,
    sections: { page, identity },
    witness: { identity },
  }));
}

/** What the client pod runs. */
export function clientScript(plan: CheckPlan, nonce: string): ScriptSpec {
  const t = plan.timeoutSeconds;
  const token = witnessToken(nonce);
  const jobs: Job[] = [
    [{ probe: { name: "ip-addr", attempts: 1, command: IP_ADDR_ETH0 } }],
    [{ probe: { name: "ip-route", attempts: 1, command: IP_ROUTE } }],
    ...pathJobs(podPath(plan), token, t),
    [
      {
        probe: {
          name: "service-ready",
          attempts: 1,
          command: serviceWait(
            serviceFqdn(plan),
            httpUrl(plan.serviceName, plan.servicePort),
            serviceReadyBoundMs(plan),
            serviceNameLagBoundMs(plan),
          ),
        },
      },
      {
        together: [
          ...servicePaths(plan).flatMap((path) => pathJobs(path, token, t)),
          [
            {
              probe: {
                name: "dns",
                attempts: PROBE_ATTEMPTS,
                command: dnsLookup(serviceFqdn(plan), t),
              },
            },
          ],
        ],
      },
    ],
    [{ probe: { name: "gateway-ping", attempts: PROBE_ATTEMPTS, command: gatewayPing(t) } }],
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
 * What the stranger runs, all at once: the nginx pod's IP and the Service's ClusterIP, which the
 * policies must refuse within the deny bound (no retries: a drop is what is expected); and, each
 * on its own, the Service's name at CoreDNS and the Kubernetes API's ClusterIP, which no policy of
 * the lab covers. The API, reached by IP, not DNS, proves the stranger alive: a refusal then
 * stands whatever CoreDNS does, and each probe has only its own fate.
 */
export function strangerScript(plan: CheckPlan, policy: PolicyPlan, nonce: string): ScriptSpec {
  const token = witnessToken(nonce);
  const jobs: Job[] = [
    ...strangerPaths(plan, policy).flatMap((path) => pathJobs(path, token, plan.timeoutSeconds)),
    [
      {
        probe: {
          name: "stranger-dns",
          attempts: 1,
          command: dnsLookup(serviceFqdn(plan), plan.timeoutSeconds),
        },
      },
    ],
    [
      {
        probe: { name: "stranger-api", attempts: 1, command: apiServerGet(plan.timeoutSeconds) },
      },
    ],
  ];
  return {
    nonce,
    jobs,
    parallelism: jobs.length,
    deadlineSeconds: Math.max(policy.denyBoundSeconds, plan.timeoutSeconds) + 2,
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
  });
  return [
    refused("stranger-pod-ip", plan.serverPodIp, plan.serverPort),
    refused("stranger-service", plan.serviceClusterIp, plan.servicePort),
  ];
}
