import { MeshPlan } from "../../contract/meshTypes";
import { IP_ADDR, SERVICE_WAIT_FUNCTION } from "../../probe/commands";
import { Job, ScriptSpec } from "../../probe/script";
import { witnessToken } from "../../witness/request";
import { ownJobs, serviceJob, serviceNameLagBoundMs, ServiceSpec } from "../../plan/client";
import { pathBoundSeconds, pathJob, PathSpec } from "../../plan/paths";

/**
 * The every-node scenario's probes as data: what each node's mesh client runs (its path to every
 * echo server, and what every client runs: the Service, DNS, its own network) and what each node
 * probe runs from the node's own network namespace (its paths to the echo servers of the other
 * nodes, and the node's links). The pair's client is the same machinery over one server.
 *
 * Sections are named by the target's index in the runner's list (`pod-3`), never by a node name:
 * nothing a cluster names reaches the script unquoted.
 */

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

/** A client's path to one echo server, by its pod IP (a cell of the matrix). */
export function meshPodPath(plan: MeshPlan, from: string, target: MeshTarget): PathSpec {
  const i = target.index;
  return {
    host: target.ip,
    port: plan.echoPort,
    sections: { identity: `pod-${i}`, ping: `ping-${i}`, large: `large-${i}`, mtu: `mtu-${i}` },
    witness: {
      identity: meshProbe.pod(from, target.node),
      large: meshProbe.large(from, target.node),
    },
  };
}

/** A client's path to the mesh's Service, by name: any echo server may serve it. */
export function meshServicePath(plan: MeshPlan, from: string): PathSpec {
  return {
    host: plan.serviceName,
    port: plan.servicePort,
    sections: { identity: "service" },
    witness: { identity: meshProbe.service(from) },
  };
}

/** A node's path to an echo server on another node, from the node's own network namespace. */
export function meshNodePath(plan: MeshPlan, from: string, target: MeshTarget): PathSpec {
  return {
    host: target.ip,
    port: plan.nodePort,
    sections: { identity: `node-${target.index}` },
    witness: { identity: meshProbe.node(from, target.node) },
  };
}

/** A mesh script's deadline: its batches of jobs at their worst, after the wait for the name. */
export function meshDeadlineSeconds(plan: MeshPlan, jobs: number): number {
  const t = plan.timeoutSeconds;
  const target = { index: 0, node: "", ip: "0.0.0.0" };
  const worst = pathBoundSeconds(meshPodPath(plan, "", target), t, true);
  return Math.ceil(jobs / plan.parallelism) * worst + serviceNameLagBoundMs(t) / 1000 + 2;
}

/**
 * What the mesh client on node `from` runs: its path to every echo server (who answered, small
 * pings, then 64 KiB and pings that fill eth0's MTU), the Service by name and DNS, and its own
 * network (eth0 and its node as gateway), as every client does (plan/client.ts).
 */
export function meshClientScript(
  plan: MeshPlan,
  targets: readonly MeshTarget[],
  nonce: string,
  from: string,
): ScriptSpec {
  const t = plan.timeoutSeconds;
  const token = witnessToken(nonce);
  const service: ServiceSpec = {
    name: plan.serviceName,
    namespace: plan.namespace,
    clusterDomain: plan.clusterDomain,
    port: plan.servicePort,
    paths: [meshServicePath(plan, from)],
  };
  const jobs = [
    serviceJob(service, token, t),
    ...ownJobs(t, false),
    ...targets.map((target) => pathJob(meshPodPath(plan, from, target), token, t)),
  ];
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
  const token = witnessToken(nonce);
  const jobs: Job[] = [
    [{ probe: { name: "links", attempts: 1, command: IP_ADDR } }],
    ...targets.map((target) =>
      pathJob(meshNodePath(plan, from, target), token, plan.timeoutSeconds),
    ),
  ];
  return {
    nonce,
    jobs,
    parallelism: plan.parallelism,
    deadlineSeconds: meshDeadlineSeconds(plan, jobs.length),
  };
}
