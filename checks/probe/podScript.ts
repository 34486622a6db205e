import * as crypto from "node:crypto";
import { IDENTITY_PATH, LARGE_BYTES, LARGE_PATH } from "../contract/identity";
import { witnessedPath, witnessToken } from "../witness/serverWitness";
import { CheckPlan } from "../contract/types";

/**
 * A fresh, unguessable marker for one run of the script: only lines that start with it are the
 * script's own. Each probe's output travels base64-encoded on its section's single line, so nothing
 * a probe receives (a web page, a DNS answer) can start a line, let alone one with the marker: what
 * a probe fetches can never speak for the runner.
 */
export function newRunNonce(): string {
  return crypto.randomBytes(16).toString("hex");
}

/** The raw output of one probe run inside the client pod. */
export interface Section {
  /** Exit status of the probe (124 or 143 when `timeout` killed it). */
  readonly rc: number;
  /** Wall time the probe took, in milliseconds, all tries included. */
  readonly ms: number;
  /** How many times it ran: a failing network probe is tried again, up to PROBE_ATTEMPTS. */
  readonly tries: number;
  /** Its combined stdout and stderr. */
  readonly output: string;
}

/** Names of the probes the script runs, one section each. */
export type SectionName =
  | "service-ready"
  | "pod-ip-http"
  | "service-dns-http"
  | "service-fqdn-http"
  | "service-clusterip-http"
  | "pod-ip-identity"
  | "service-dns-identity"
  | "service-fqdn-identity"
  | "service-clusterip-identity"
  | "dns"
  | "ping"
  | "ip-addr"
  | "ip-route"
  | "gateway-ping"
  | "large-http"
  | "mtu-ping";

/** Quotes a value for a POSIX shell: every value in the script passes through here. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The fully qualified DNS name of the plan's Service. */
export function serviceFqdn(plan: CheckPlan): string {
  return `${plan.serviceName}.${plan.namespace}.svc.${plan.clusterDomain}`;
}

function httpUrl(host: string, port: number, path = "/"): string {
  return `http://${host}:${port}${path}`;
}

/**
 * How often a failing network probe runs before it counts as failed, one second apart. A Service
 * that has just got its endpoints may still be missing its kube-proxy rules for a moment; retrying,
 * as Cilium's connectivity test does, keeps that from reading as a broken network.
 */
export const PROBE_ATTEMPTS = 3;

/**
 * How long, at most, the script waits for a new Service to answer before probing: its name must
 * resolve and serve HTTP. Right after a Service is created, kube-proxy may not have its rules yet;
 * a bounded poll establishes that readiness instead of a fixed sleep. A broken Service waits it
 * out and then fails its probes, with their evidence.
 */
export function serviceReadyBoundMs(plan: CheckPlan): number {
  return 2 * plan.timeoutSeconds * 1000;
}

/**
 * The longer bound while CoreDNS answers but does not know the Service's name yet (NXDOMAIN).
 * CoreDNS learns Services through a watch on the API server; after an API server restart the watch
 * reconnects with client-go's backoff, up to 30 s between tries, and each NXDOMAIN is cached for
 * the kubernetes plugin's TTL (5 s by default, as k3s ships it). Seen here: a Service created right
 * after a k3s restart stayed NXDOMAIN for more than 16 s. No answer at all (CoreDNS down) keeps the
 * short bound: waiting would not help.
 */
export function serviceNameLagBoundMs(plan: CheckPlan): number {
  return Math.max(serviceReadyBoundMs(plan), 40_000);
}

/** The HTTP targets: each is fetched twice, for the walkthrough's page and for the server's identity. */
function httpTargets(plan: CheckPlan): Array<[SectionName, SectionName, string, number]> {
  return [
    ["pod-ip-http", "pod-ip-identity", plan.serverPodIp, plan.serverPort],
    ["service-dns-http", "service-dns-identity", plan.serviceName, plan.servicePort],
    ["service-fqdn-http", "service-fqdn-identity", serviceFqdn(plan), plan.servicePort],
    [
      "service-clusterip-http",
      "service-clusterip-identity",
      plan.serviceClusterIp,
      plan.servicePort,
    ],
  ];
}

/** The order the script prints its sections in, whichever finished first. */
export const SECTION_ORDER: readonly SectionName[] = [
  "service-ready",
  "pod-ip-http",
  "pod-ip-identity",
  "service-dns-http",
  "service-dns-identity",
  "service-fqdn-http",
  "service-fqdn-identity",
  "service-clusterip-http",
  "service-clusterip-identity",
  "dns",
  "ping",
  "large-http",
  "mtu-ping",
  "ip-addr",
  "ip-route",
  "gateway-ping",
];

/** The longest a probe can take: every try to its timeout, and a second between tries. */
function probeBoundSeconds(plan: CheckPlan, attempts: number): number {
  return attempts * plan.timeoutSeconds + (attempts - 1);
}

/**
 * The script's own deadline, in seconds: its longest chain of probes that wait on one another, each
 * at its worst, plus two seconds. The chains run side by side (see buildPodScript), so a broken
 * network costs one chain, not the sum of every probe; and at the deadline the script stops what
 * still runs and reports it as not finished, so no run goes past it, whatever hangs.
 */
export function podScriptDeadlineSeconds(plan: CheckPlan): number {
  const retried = probeBoundSeconds(plan, PROBE_ATTEMPTS);
  // The bounded wait for the Service (its last round may start just before the bound: two 2 s
  // probes), then a Service's page and its identity.
  const service = serviceNameLagBoundMs(plan) / 1000 + 4 + 2 * retried;
  // The pod IP's page, then its identity and the full-size probes, side by side.
  const podIp = 2 * retried;
  const ping = plan.timeoutSeconds + plan.pingCount;
  return Math.ceil(Math.max(service, podIp, ping)) + 2;
}

/**
 * The shell script that runs every probe inside the client pod, in one `kubectl exec`.
 *
 * Only busybox applets are used. `wget -T` is avoided on purpose: Debian's busybox 1.35 wget
 * segfaults with it, so `timeout` bounds every probe instead. busybox's `timeout` stops only the
 * process it runs, so it always runs the network command itself, never a shell around a pipeline:
 * a wget left behind by a stopped shell holds the pipe open until its own TCP timeout (some 130 s
 * for a connect that gets no answer), and the probe with it. awk prints with %.0f: busybox awk's
 * %d wraps at 2^31.
 *
 * The probes run side by side, in chains of the ones that need another's answer: the pod IP's page,
 * then its identity and the full-size probes (skipped when the page did not come back: a path that
 * carries nothing has nothing to say about its MTU); the bounded wait for the Service, then each of
 * its names and its ClusterIP, and DNS; ping; the gateway; the interface and routes. So a broken
 * network costs the longest chain, not the sum of every probe's timeouts and retries. Each probe
 * writes its section to its own file in a private folder (/dev/shm: memory, which every Kubernetes
 * container has, even with a read-only root filesystem), and the script prints them in
 * SECTION_ORDER once all are done, or at podScriptDeadlineSeconds, when it stops what still runs
 * and prints a "not finished" section for each probe that had not written its own. Where no folder
 * can be made, the probes run one after the other, printing as they go.
 *
 * Every section is one line, `<nonce> <name> rc=… ms=… tries=… out=<base64>`, with `nonce` the
 * run's own marker (see newRunNonce); a last line `<nonce> end` says the script ran to its end.
 * `deadline` is podScriptDeadlineSeconds but for tests of the deadline itself.
 */
export function buildPodScript(
  plan: CheckPlan,
  nonce: string,
  deadline: number = podScriptDeadlineSeconds(plan),
): string {
  if (!Number.isInteger(deadline) || deadline < 1) {
    throw new Error(`the pod script's deadline must be a whole number of seconds, got ${deadline}`);
  }
  const t = String(plan.timeoutSeconds);
  // Ping adaptively (-A: next packet as soon as the reply is back) so N packets take
  // milliseconds, not N seconds; -w bounds the whole run.
  const pingDeadline = String(plan.timeoutSeconds + plan.pingCount);
  const wget = (url: string) => `timeout ${t} wget -q -O - ${shellQuote(url)}`;
  const q = shellQuote;
  // Each identity fetch names its probe and carries the run's token: nginx's log then says which
  // of them it served (see checks/serverWitness.ts).
  const token = witnessToken(nonce);
  const identityUrl = (host: string, port: number, probe: SectionName) =>
    httpUrl(host, port, witnessedPath(IDENTITY_PATH, token, probe));
  const [podIp, ...services] = httpTargets(plan);
  const podIpPage = httpUrl(podIp[2], podIp[3]);
  // The path at its full MTU: a large response, and pings that fill eth0's MTU (IP header 20 and
  // ICMP header 8 bytes on top of the payload). busybox ping cannot set don't-fragment, but a
  // packet of exactly the MTU is not fragmented by the pod, and VXLAN then needs MTU + 50. Only
  // wget is under `timeout` (see above); a stalled transfer says so, and a short count fails.
  const largeHttp =
    `n=$({ ${wget(httpUrl(plan.serverPodIp, plan.serverPort, LARGE_PATH))}; s=$?; ` +
    `[ "$s" -eq 124 ] || [ "$s" -eq 143 ] && echo stalled >&2; } | head -c ${LARGE_BYTES} | wc -c); ` +
    `echo "$n"; [ "$n" -eq ${LARGE_BYTES} ]`;
  const mtuPing = `ping -c 3 -A -s $(($(cat /sys/class/net/eth0/mtu) - 28)) -w ${t} ${q(plan.serverPodIp)}`;
  const notProbed = `not probed: ${podIpPage} did not serve the page`;
  // Who answered is asked only of a target that served the page: one that did not has failed
  // already, and asking again would only wait out the same timeouts.
  const podIpChain = [
    "pod_ip() {",
    `  if probe ${podIp[0]} ${PROBE_ATTEMPTS} ${q(wget(podIpPage))}; then`,
    `    bg probe ${podIp[1]} ${PROBE_ATTEMPTS} ${q(wget(identityUrl(podIp[2], podIp[3], podIp[1])))}`,
    `    bg probe large-http ${PROBE_ATTEMPTS} ${q(largeHttp)}`,
    `    bg probe mtu-ping 1 ${q(mtuPing)}`,
    "    wait",
    "  else",
    `    skip large-http ${q(notProbed)}`,
    `    skip mtu-ping ${q(notProbed)}`,
    "  fi",
    "}",
  ];
  // Only the A record is asked while waiting: an AAAA asked before CoreDNS knows the name would be
  // cached as NXDOMAIN, and the resolver behind wget, which asks both, would then walk the search
  // path past the Service. The HTTP half uses the short name, the exact path service-dns-http takes.
  // While CoreDNS answers NXDOMAIN (it has not seen the Service yet) the wait may run to the longer
  // bound; any other failure keeps the short one.
  const serviceReady = [
    "service_ready() {",
    "  fqdn=$1; url=$2; bound=$3; lag_bound=$4; stamp; start=$now; tries=0; dns=no; http=no; unknown=no",
    "  while :; do",
    "    tries=$((tries + 1))",
    '    if [ "$dns" != yes ]; then',
    '      answer=$(timeout 2 nslookup -type=a "$fqdn" 2>&1) && dns=yes',
    '      case "$answer" in *NXDOMAIN*) unknown=yes ;; *) unknown=no ;; esac',
    "    fi",
    '    [ "$dns" = yes ] && { timeout 2 wget -q -O /dev/null "$url" >/dev/null 2>&1 && http=yes; }',
    '    [ "$http" = yes ] && break',
    '    limit=$bound; [ "$dns" != yes ] && [ "$unknown" = yes ] && limit=$lag_bound',
    '    stamp; [ $((now - start)) -ge "$limit" ] && break',
    "    sleep 0.2",
    "  done",
    '  rc=1; [ "$http" = yes ] && rc=0',
    '  detail="name resolves: $dns; $url serves: $http"',
    '  [ "$dns" != yes ] && [ "$unknown" = yes ] && detail="$detail; DNS answered NXDOMAIN: CoreDNS does not know the name"',
    '  stamp; section service-ready "$rc" "$((now - start))" "$tries" "$detail"',
    "}",
  ];
  // The Service's names and ClusterIP once it answers (or once the wait gave up: their failures
  // are the evidence), side by side, each its page and then who served it.
  const serviceChain = [
    'service_target() { probe "$1" ' +
      PROBE_ATTEMPTS +
      ' "$3" && probe "$2" ' +
      PROBE_ATTEMPTS +
      ' "$4"; }',
    "services() {",
    `  service_ready ${q(serviceFqdn(plan))} ${q(httpUrl(plan.serviceName, plan.servicePort))} ${serviceReadyBoundMs(plan)} ${serviceNameLagBoundMs(plan)}`,
    ...services.map(
      ([page, identity, host, port]) =>
        `  bg service_target ${page} ${identity} ${q(wget(httpUrl(host, port)))} ${q(wget(identityUrl(host, port, identity)))}`,
    ),
    `  bg probe dns ${PROBE_ATTEMPTS} ${q(`timeout ${t} nslookup ${q(serviceFqdn(plan))}`)}`,
    "  wait",
    "}",
  ];
  const chains: string[] = [
    "spawn probe ip-addr 1 'ip addr show dev eth0'",
    "spawn probe ip-route 1 'ip route'",
    "spawn pod_ip",
    "spawn services",
    // Ping is not retried: its loss is what it measures.
    `spawn probe ping 1 ${q(`ping -c ${plan.pingCount} -A -w ${pingDeadline} ${q(plan.serverPodIp)}`)}`,
    // The client's own node (its default gateway, the bridge): the same-node half of any path.
    `spawn probe gateway-ping ${PROBE_ATTEMPTS} ${q(`ping -c 2 -A -w ${t} "$(ip route | awk '/^default/ {print $3; exit}')"`)}`,
  ];
  const collect = [
    // Printed in a fixed order once every chain is done; a probe stopped at the deadline, or one
    // whose file is cut short, gets a section that says so. One not asked (who answered, where
    // the page did not come back) gets none.
    "collect() {",
    '  from=$sections_dir; sections_dir=""',
    `  for name in ${SECTION_ORDER.join(" ")}; do`,
    '    if [ -f "$from/$name" ] && read -r line < "$from/$name"; then',
    "      printf '%s\\n' \"$line\"",
    '    elif [ -f "$from/deadline" ]; then',
    `      stamp; section "$name" 124 "$((now - script_start))" 0 ${q(`not finished within the script's bound of ${deadline} s`)}`,
    "    fi",
    "  done",
    '  rm -rf "$from"',
    "}",
  ];
  return (
    [
      ...scriptPreamble(nonce),
      'skip() { section "$1" 1 0 0 "$2"; }',
      ...parallelRunner(),
      ...serviceReady,
      ...podIpChain,
      ...serviceChain,
      ...collect,
      "stamp; script_start=$now",
      ...chains,
      `finish ${deadline}`,
      `printf '%s end\\n' "$nonce"`,
    ].join("\n") + "\n"
  );
}

/**
 * Running probes side by side: `spawn` starts a chain in the background and `bg` one within a
 * chain, where the private folder the sections go to could be made (else each runs in turn, and
 * `section` prints at once); `finish <seconds>` waits for the chains, bounded by a watchdog that
 * stops them at the deadline, then prints what they wrote (collect).
 */
function parallelRunner(): string[] {
  return [
    'sections_dir=$(mktemp -d /dev/shm/pod-to-pod.XXXXXX 2>/dev/null) || sections_dir=""',
    'pids=""',
    // A job's stdout and stderr are not the exec's: a process a stopped probe leaves behind must
    // not hold the exec's streams open (kubectl would wait for it).
    'bg() { if [ -n "$sections_dir" ]; then "$@" >/dev/null 2>&1 & kids="$kids $!"; else "$@"; fi; }',
    "spawn() {",
    '  if [ -z "$sections_dir" ]; then "$@"; return; fi',
    '  ( kids=""; trap \'kill $kids 2>/dev/null; exit 143\' TERM; "$@" ) >/dev/null 2>&1 &',
    '  pids="$pids $!"',
    "}",
    // The watchdog stops the chains at the deadline and tells the script to print what it has: a
    // chain busy in a probe would only stop once that probe returns.
    "finish() {",
    '  [ -n "$sections_dir" ] || return 0',
    "  trap : USR1",
    '  ( trap \'kill "$s" 2>/dev/null; exit 0\' TERM; sleep "$1" & s=$!; wait "$s"; : > "$sections_dir/deadline"; kill $pids; kill -USR1 $$ ) >/dev/null 2>&1 &',
    "  watchdog=$!",
    "  wait $pids",
    '  kill "$watchdog" 2>/dev/null; wait "$watchdog" 2>/dev/null',
    "  trap - USR1",
    "  collect",
    "}",
  ];
}

/**
 * What every script the runner sends into a pod starts with: the run's nonce, a clock, the
 * encoded section line and the probe loop (see buildPodScript).
 */
export function scriptPreamble(nonce: string): string[] {
  if (!/^[0-9a-f]{32}$/.test(nonce)) {
    throw new Error(`the pod script's nonce must be 32 hex digits, got "${nonce}"`);
  }
  return [
    `nonce=${nonce}`,
    // The clock in milliseconds, into $now, from /proc/uptime (10 ms steps) read by the shell
    // itself: no process to start, which counts in a client limited to a tenth of a CPU.
    "stamp() {",
    "  read -r up _ < /proc/uptime; cs=${up#*.}; cs=${cs#0}; now=$((${up%.*} * 1000 + cs * 10))",
    "}",
    // The output goes out encoded, on the section's own line: it can hold any bytes, newlines and
    // markers included, and still not end the line. Where the probes run side by side, the line
    // goes to the section's own file (see buildPodScript).
    "section() {",
    `  line="$nonce $1 rc=$2 ms=$3 tries=$4 out=$(printf '%s' "$5" | base64 -w 0)"`,
    '  if [ -n "${sections_dir:-}" ]; then printf \'%s\\n\' "$line" > "$sections_dir/$1"; else printf \'%s\\n\' "$line"; fi',
    "}",
    "probe() {",
    "  name=$1; attempts=$2; cmd=$3; tries=0",
    "  stamp; start=$now",
    "  while :; do",
    '    tries=$((tries + 1)); out=$(eval "$cmd" 2>&1); rc=$?',
    '    if [ "$rc" -eq 0 ] || [ "$tries" -ge "$attempts" ]; then break; fi',
    "    sleep 1",
    "  done",
    "  stamp",
    '  section "$name" "$rc" "$((now - start))" "$tries" "$out"',
    '  return "$rc"',
    "}",
  ];
}

/** The sections of one run, and whether the script reached its end. */
export interface ScriptOutput {
  /** Each probe's section, by name. */
  readonly sections: ReadonlyMap<string, Section>;
  /** Whether the script printed its closing line: false when it was cut off. */
  readonly complete: boolean;
}

/** Raised when a line carries the run's marker but is not one the script prints. */
export class MalformedScriptOutputError extends Error {}

const SECTION_LINE = /^(\S+) rc=(\d+) ms=(-?\d+) tries=(\d+) out=([A-Za-z0-9+/]*={0,2})$/;

/**
 * Reads the script's output. Only lines that start with the run's nonce count; everything else
 * (kubectl's warnings, anything that is not the script's) is ignored. A marked line that is
 * malformed, a section that appears twice or one after the closing line cannot come from the
 * script: it is an error, never a result.
 */
export function parseScriptOutput(stdout: string, nonce: string): ScriptOutput {
  const sections = new Map<string, Section>();
  let complete = false;
  const prefix = `${nonce} `;
  for (const line of stdout.split("\n")) {
    if (!line.startsWith(prefix)) {
      continue;
    }
    const rest = line.slice(prefix.length);
    if (complete) {
      throw new MalformedScriptOutputError(
        `a marked line after the script's end: "${rest.slice(0, 80)}"`,
      );
    }
    if (rest === "end") {
      complete = true;
      continue;
    }
    const match = SECTION_LINE.exec(rest);
    if (!match) {
      throw new MalformedScriptOutputError(
        `a marked line the script does not print: "${rest.slice(0, 80)}"`,
      );
    }
    const [, name, rc, ms, tries, encoded] = match;
    if (sections.has(name)) {
      throw new MalformedScriptOutputError(`section ${name} appears twice`);
    }
    sections.set(name, {
      rc: Number(rc),
      ms: Math.max(0, Number(ms)),
      tries: Number(tries),
      output: Buffer.from(encoded, "base64").toString("utf8").replace(/\n+$/, ""),
    });
  }
  return { sections, complete };
}
