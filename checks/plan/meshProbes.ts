import { IDENTITY_PATH, LARGE_PATH } from "../contract/identity";
import { MeshPlan } from "../contract/meshTypes";
import {
  dnsLookup,
  ETH0_MTU,
  gatewayPing,
  httpGet,
  httpLarge,
  httpUrl,
  IP_ADDR,
  mtuPing,
  ping,
  PROBE_ATTEMPTS,
  SERVICE_WAIT_FUNCTION,
  serviceWait,
} from "../probe/commands";
import { Job, ScriptSpec } from "../probe/script";
import { expectedRequest, ExpectedRequest, witnessToken } from "../witness/request";

/**
 * The every-node scenario's probes as data: what each node's mesh client runs (every echo server,
 * the Service, DNS, its gateway and eth0) and what each node probe runs from the node's own network
 * namespace (the echo servers of the other nodes, and the node's links). The pair's client is the
 * same machinery over one client and one server (plan/pairProbes.ts).
 *
 * Sections are named by the target's index in the runner's list (`pod-3`), never by a node name:
 * nothing a cluster names reaches the script unquoted.
 */

/** How long a client waits for CoreDNS to learn the mesh's Service (as the pair's client does). */
export const MESH_NAME_LAG_BOUND_MS = 40_000;

/** The echo server a script probes: its index in the runner's list, its node and its pod IP. */
export interface MeshTarget {
  readonly index: number;
  readonly node: string;
  readonly ip: string;
}

/**
 * The probe names the mesh's requests carry (`probe=` in the echo servers' logs): the sender's
 * node and the path, e.g. `pod/vm->p2p-node2` (vm's client fetching p2p-node2's identity).
 */
export const meshProbe = {
  /** A client's identity fetch from an echo server. */
  pod: (from: string, to: string) => `pod/${from}->${to}`,
  /** A client's 64 KiB fetch (the path MTU check). */
  large: (from: string, to: string) => `large/${from}->${to}`,
  /** A client's fetch through the mesh's Service: any echo server may serve it. */
  service: (from: string) => `service/${from}`,
  /** A node probe's identity fetch, from the node's own network namespace. */
  node: (from: string, to: string) => `node/${from}->${to}`,
};

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function targetIp(ip: string): string {
  if (!IPV4.test(ip)) {
    throw new Error(`a mesh target's IP must be an IPv4 address, got "${ip}"`);
  }
  return ip;
}

/** The request each kind of mesh probe sends, exactly as the echo server must log it. */
export function meshRequest(
  plan: MeshPlan,
  nonce: string,
  kind: keyof typeof meshProbe,
  probe: string,
  ip: string,
): ExpectedRequest {
  const token = witnessToken(nonce);
  switch (kind) {
    case "pod":
      return expectedRequest(targetIp(ip), plan.echoPort, IDENTITY_PATH, token, probe);
    case "large":
      return expectedRequest(targetIp(ip), plan.echoPort, LARGE_PATH, token, probe);
    case "node":
      return expectedRequest(targetIp(ip), plan.nodePort, IDENTITY_PATH, token, probe);
    case "service":
      return expectedRequest(plan.serviceName, plan.servicePort, IDENTITY_PATH, token, probe);
  }
}

function url(request: ExpectedRequest): string {
  return `http://${request.host}${request.uri}`;
}

/** The longest one target's job may take: each of its probes at its worst, tries included. */
function jobBoundSeconds(plan: MeshPlan): number {
  const t = plan.timeoutSeconds;
  return PROBE_ATTEMPTS * (t + 1) + (t + 1) + 2 * (t + 1) + (t + 3);
}

/** A mesh script's deadline: its batches of jobs at their worst, after the wait for the name. */
export function meshDeadlineSeconds(plan: MeshPlan, jobs: number): number {
  return (
    Math.ceil(jobs / plan.parallelism) * jobBoundSeconds(plan) + MESH_NAME_LAG_BOUND_MS / 1000 + 2
  );
}

/**
 * What the mesh client on node `from` runs. Per echo server: its identity over HTTP and a small
 * ping (is the path there at all), then, where they passed, 64 KiB from the large path and pings
 * that fill eth0's MTU (does it carry full-size packets). Once per client: the Service by name,
 * DNS, the client's own gateway (its node) and eth0's MTU.
 */
export function meshClientScript(
  plan: MeshPlan,
  targets: readonly MeshTarget[],
  nonce: string,
  from: string,
): ScriptSpec {
  const t = plan.timeoutSeconds;
  const fqdn = `${plan.serviceName}.${plan.namespace}.svc.${plan.clusterDomain}`;
  const perTarget = targets.map(({ index, node, ip }): Job => [
    {
      probe: {
        name: `pod-${index}`,
        attempts: PROBE_ATTEMPTS,
        command: httpGet(url(meshRequest(plan, nonce, "pod", meshProbe.pod(from, node), ip)), t),
      },
    },
    { probe: { name: `ping-${index}`, attempts: 1, command: ping(targetIp(ip), 2, t) } },
    {
      probe: {
        name: `large-${index}`,
        attempts: 2,
        command: httpLarge(
          url(meshRequest(plan, nonce, "large", meshProbe.large(from, node), ip)),
          t,
        ),
      },
      onlyIf: `pod-${index}`,
    },
    {
      probe: { name: `mtu-${index}`, attempts: 1, command: mtuPing(ip, t) },
      onlyIf: `ping-${index}`,
    },
  ]);
  const own: Job[] = [
    [
      {
        probe: {
          name: "service-ready",
          attempts: 1,
          command: serviceWait(
            fqdn,
            httpUrl(plan.serviceName, plan.servicePort),
            2 * t * 1000,
            MESH_NAME_LAG_BOUND_MS,
          ),
        },
      },
      { probe: { name: "dns", attempts: PROBE_ATTEMPTS, command: dnsLookup(fqdn, t) } },
      {
        probe: {
          name: "service",
          attempts: PROBE_ATTEMPTS,
          command: httpGet(
            url(meshRequest(plan, nonce, "service", meshProbe.service(from), "")),
            t,
          ),
        },
      },
    ],
    [
      { probe: { name: "gateway", attempts: 2, command: gatewayPing(t) } },
      { probe: { name: "eth0", attempts: 1, command: ETH0_MTU } },
    ],
  ];
  const jobs = [...own, ...perTarget];
  return {
    nonce,
    jobs,
    parallelism: plan.parallelism,
    deadlineSeconds: meshDeadlineSeconds(plan, jobs.length),
    functions: SERVICE_WAIT_FUNCTION,
  };
}

/**
 * What the node probe on node `from` runs (hostNetwork: the node's own network namespace): the
 * identity of every echo server on the other nodes, on the port the nodes are let in on, and the
 * node's links (`ip addr`: flannel.1, cni0, the node's own link and its bridge ports, with MTUs).
 */
export function nodeProbeScript(
  plan: MeshPlan,
  targets: readonly MeshTarget[],
  nonce: string,
  from: string,
): ScriptSpec {
  const jobs: Job[] = [
    [{ probe: { name: "links", attempts: 1, command: IP_ADDR } }],
    ...targets.map(({ index, node, ip }): Job => [
      {
        probe: {
          name: `node-${index}`,
          attempts: PROBE_ATTEMPTS,
          command: httpGet(
            url(meshRequest(plan, nonce, "node", meshProbe.node(from, node), ip)),
            plan.timeoutSeconds,
          ),
        },
      },
    ]),
  ];
  return {
    nonce,
    jobs,
    parallelism: plan.parallelism,
    deadlineSeconds: meshDeadlineSeconds(plan, jobs.length),
  };
}
