import { IDENTITY_PATH, LARGE_PATH } from "../contract/identity";
import { CheckPlan, PolicyPlan } from "../contract/types";
import {
  apiServerGet,
  dnsLookup,
  gatewayPing,
  httpGet,
  httpLarge,
  httpUrl,
  IP_ADDR_ETH0,
  IP_ROUTE,
  mtuPing,
  ping,
  PROBE_ATTEMPTS,
  SERVICE_WAIT_FUNCTION,
  serviceWait,
} from "../probe/commands";
import { Job, ScriptSpec } from "../probe/script";
import { witnessedPath, witnessToken } from "../witness/request";

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

/** The longest a probe can take: every try to its timeout, and a second between tries. */
function retriedBoundSeconds(plan: CheckPlan): number {
  return PROBE_ATTEMPTS * plan.timeoutSeconds + (PROBE_ATTEMPTS - 1);
}

/**
 * The client script's deadline, in seconds: its longest chain of probes that wait on one another,
 * each at its worst, plus two seconds. The chains run side by side, so a broken network costs one
 * chain, not the sum of every probe.
 */
export function podScriptDeadlineSeconds(plan: CheckPlan): number {
  const retried = retriedBoundSeconds(plan);
  // The bounded wait for the Service (its last round may start just before the bound: two 2 s
  // probes), then a Service's page and its identity.
  const service = serviceNameLagBoundMs(plan) / 1000 + 4 + 2 * retried;
  const podIp = 2 * retried;
  const pinged = plan.timeoutSeconds + plan.pingCount;
  return Math.ceil(Math.max(service, podIp, pinged)) + 2;
}

/** Each identity fetch names its probe and carries the run's token: the server's log says which it served. */
function identityUrl(host: string, port: number, token: string, probe: string): string {
  return httpUrl(host, port, witnessedPath(IDENTITY_PATH, token, probe));
}

/** What the client pod runs. */
export function clientScript(plan: CheckPlan, nonce: string): ScriptSpec {
  const t = plan.timeoutSeconds;
  const token = witnessToken(nonce);
  const page = httpUrl(plan.serverPodIp, plan.serverPort);
  const fetch = (name: string, url: string) => ({
    probe: { name, attempts: PROBE_ATTEMPTS, command: httpGet(url, t) },
  });
  const identity = (name: string, host: string, port: number, after: string) => ({
    probe: {
      name,
      attempts: PROBE_ATTEMPTS,
      command: httpGet(identityUrl(host, port, token, name), t),
    },
    onlyIf: after,
  });
  const jobs: Job[] = [
    [{ probe: { name: "ip-addr", attempts: 1, command: IP_ADDR_ETH0 } }],
    [{ probe: { name: "ip-route", attempts: 1, command: IP_ROUTE } }],
    [
      fetch("pod-ip-http", page),
      // Who answered, and the path at full size, only where the page came back.
      identity("pod-ip-identity", plan.serverPodIp, plan.serverPort, "pod-ip-http"),
      {
        together: [
          [
            {
              probe: {
                name: "large-http",
                attempts: PROBE_ATTEMPTS,
                command: httpLarge(httpUrl(plan.serverPodIp, plan.serverPort, LARGE_PATH), t),
              },
            },
          ],
          [{ probe: { name: "mtu-ping", attempts: 1, command: mtuPing(plan.serverPodIp, t) } }],
        ],
        onlyIf: "pod-ip-http",
        skipNote: `not probed: ${page} did not serve the page`,
      },
    ],
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
          ...serviceTargets(plan).map(([pageName, identityName, host]): Job => [
            fetch(pageName, httpUrl(host, plan.servicePort)),
            identity(identityName, host, plan.servicePort, pageName),
          ]),
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
    // Ping is not retried: its loss is what it measures.
    [
      {
        probe: {
          name: "ping",
          attempts: 1,
          command: ping(plan.serverPodIp, plan.pingCount, t + plan.pingCount),
        },
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
  const bound = policy.denyBoundSeconds;
  const token = witnessToken(nonce);
  const refused = (name: string, host: string, port: number): Job => [
    {
      probe: {
        name,
        attempts: 1,
        command: httpGet(httpUrl(host, port, witnessedPath("/", token, name)), bound),
      },
    },
  ];
  const jobs: Job[] = [
    refused("stranger-pod-ip", plan.serverPodIp, plan.serverPort),
    refused("stranger-service", plan.serviceClusterIp, plan.servicePort),
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
    deadlineSeconds: Math.max(bound, plan.timeoutSeconds) + 2,
  };
}
