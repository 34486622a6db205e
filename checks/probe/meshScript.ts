import { IDENTITY_PATH, LARGE_BYTES, LARGE_PATH } from "../contract/identity";
import { MeshPlan } from "../contract/meshTypes";
import { scriptPreamble, shellQuote } from "./podScript";
import { witnessedPath, witnessToken } from "../witness/serverWitness";

/**
 * The scripts the runner sends into the mesh's pods: one into each client (to every echo server,
 * the Service and DNS) and one into each node probe (to the echo servers of the other nodes, and
 * the node's links). Targets are probed at once, `plan.parallelism` at a time; each target's
 * probes run in a job of their own that writes its sections to a file of its own (an emptyDir),
 * printed whole once every job is done, so lines of jobs that end together never interleave.
 *
 * Sections are named by the target's index in the list the runner passes (`pod-3`), never by a
 * node name: the runner maps them back, and nothing a cluster names reaches the script unquoted.
 * Every request to an echo server carries this run's witness token (derived from the script's
 * nonce, see checks/serverWitness.ts) and a probe name that says who sent it on which path, so
 * the echo server's own access log can confirm (or deny) what the script reports.
 */

/** How long a client waits for CoreDNS to learn the mesh's Service (as the pair's checks do). */
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

function url(ip: string, port: number, path: string): string {
  if (!IPV4.test(ip)) {
    throw new Error(`a mesh target's IP must be an IPv4 address, got "${ip}"`);
  }
  return `http://${ip}:${port}${path}`;
}

/** One job: its probes, run in order (one subshell, see runJobs). */
function job(body: readonly string[]): string {
  return body.join("; ");
}

/** Runs jobs `bound` at a time, waiting for each batch before the next; then prints every file. */
function runJobs(jobs: readonly string[], bound: number): string[] {
  const lines: string[] = [
    // Nothing secret: the sections are what the script prints anyway, and the directory goes.
    'mesh_dir=$(mktemp -d /tmp/mesh.XXXXXX) || { echo "no writable /tmp for the mesh" >&2; exit 1; }',
  ];
  // A batch's files are printed (and removed) once the whole batch is done: what finished is out
  // even if a later batch is cut off by kubectl's bound.
  const flush = ["wait", 'cat "$mesh_dir"/* 2>/dev/null', 'rm -f "$mesh_dir"/*'];
  jobs.forEach((body, at) => {
    // Each job in a subshell of its own, its sections into a file of its own, named by position.
    lines.push(`( ${body} ) >"$mesh_dir/${at}" 2>/dev/null &`);
    if ((at + 1) % bound === 0 && at + 1 < jobs.length) {
      lines.push(...flush);
    }
  });
  lines.push(...flush, 'rmdir "$mesh_dir"');
  lines.push(`printf '%s end\\n' "$nonce"`);
  return lines;
}

function probe(name: string, attempts: number, command: string): string {
  return `probe ${name} ${attempts} ${shellQuote(command)}`;
}

/**
 * The script for the mesh client on node `from`. Per echo server: its identity over HTTP and a small
 * ping (is the path there at all), then, where they passed, 64 KiB from the large path and pings
 * that fill eth0's MTU (does it carry full-size packets). Once per client: the Service by name,
 * DNS, the client's own gateway (its node) and eth0's MTU.
 */
export function buildMeshClientScript(
  plan: MeshPlan,
  targets: readonly MeshTarget[],
  nonce: string,
  from: string,
): string {
  const t = plan.timeoutSeconds;
  const token = witnessToken(nonce);
  const wget = (target: string) => `timeout ${t} wget -q -O - ${shellQuote(target)}`;
  const fqdn = `${plan.serviceName}.${plan.namespace}.svc.${plan.clusterDomain}`;
  const perTarget = targets.map(({ index, node, ip }) =>
    job([
      probe(
        `pod-${index}`,
        3,
        wget(
          url(ip, plan.echoPort, witnessedPath(IDENTITY_PATH, token, meshProbe.pod(from, node))),
        ),
      ),
      "http=$?",
      probe(`ping-${index}`, 1, `ping -c 2 -A -w ${t} ${shellQuote(ip)}`),
      "small=$?",
      `[ "$http" -ne 0 ] || ${probe(
        `large-${index}`,
        2,
        // The bound on wget itself: a `timeout` around a shell would leave wget (and the pipe
        // to wc, and so the probe's command substitution) hanging on a black-holed connection.
        `timeout ${t} wget -q -O - ${shellQuote(url(ip, plan.echoPort, witnessedPath(LARGE_PATH, token, meshProbe.large(from, node))))} | head -c ${LARGE_BYTES} | wc -c`,
      )}`,
      `[ "$small" -ne 0 ] || ${probe(
        `mtu-${index}`,
        1,
        `ping -c 3 -A -s $(($(cat /sys/class/net/eth0/mtu) - 28)) -w ${t} ${shellQuote(ip)}`,
      )}`,
    ]),
  );
  const own = [
    // CoreDNS learns a new Service through its watch on the API server, which after an API server
    // restart may lag by tens of seconds (see serviceNameLagBoundMs): while it answers NXDOMAIN
    // the name is waited for, up to that bound; no answer at all (CoreDNS down) waits nothing.
    job([
      // The preamble's stamp sets $now (no subshell per reading).
      "stamp; wait_start=$now",
      `while stamp; [ $((now - wait_start)) -lt ${MESH_NAME_LAG_BOUND_MS} ] && timeout 2 nslookup -type=a ${shellQuote(fqdn)} 2>&1 | grep -q NXDOMAIN; do sleep 1; done`,
      `stamp; section name-wait 0 $((now - wait_start)) 1 ''`,
      probe("dns", 3, `timeout ${t} nslookup ${shellQuote(fqdn)}`),
      probe(
        "service",
        3,
        wget(
          `http://${plan.serviceName}:${plan.servicePort}${witnessedPath(IDENTITY_PATH, token, meshProbe.service(from))}`,
        ),
      ),
    ]),
    job([
      probe("gateway", 2, `ping -c 2 -A -w ${t} "$(ip route | awk '/^default/ {print $3; exit}')"`),
      probe("eth0", 1, "cat /sys/class/net/eth0/mtu"),
    ]),
  ];
  return (
    [...scriptPreamble(nonce), ...runJobs([...own, ...perTarget], plan.parallelism)].join("\n") +
    "\n"
  );
}

/**
 * The script for the node probe on node `from` (hostNetwork: the node's own network namespace): the
 * identity of every echo server on the other nodes, on the port the nodes are let in on, and the
 * node's links (`ip addr`: flannel.1, cni0, the node's own link and its bridge ports, with MTUs).
 */
export function buildNodeProbeScript(
  plan: MeshPlan,
  targets: readonly MeshTarget[],
  nonce: string,
  from: string,
): string {
  const t = plan.timeoutSeconds;
  const token = witnessToken(nonce);
  const jobs = [
    job([probe("links", 1, "ip addr")]),
    ...targets.map(({ index, node, ip }) =>
      job([
        probe(
          `node-${index}`,
          3,
          `timeout ${t} wget -q -O - ${shellQuote(url(ip, plan.nodePort, witnessedPath(IDENTITY_PATH, token, meshProbe.node(from, node))))}`,
        ),
      ]),
    ),
  ];
  return [...scriptPreamble(nonce), ...runJobs(jobs, plan.parallelism)].join("\n") + "\n";
}
