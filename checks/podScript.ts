import * as crypto from "node:crypto";
import { IDENTITY_PATH, LARGE_BYTES, LARGE_PATH } from "./identity";
import { witnessedPath, witnessToken } from "./serverWitness";
import { CheckPlan } from "./types";

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

/**
 * The shell script that runs every probe inside the client pod, in one `kubectl exec`.
 *
 * Only busybox applets are used. `wget -T` is avoided on purpose: Debian's busybox 1.35 wget
 * segfaults with it, so `timeout` bounds every probe instead. Timestamps come from `adjtimex`
 * (microseconds) because busybox `date` has no `%N`; /proc/uptime (10 ms) is the fallback. awk
 * prints with %.0f: busybox awk's %d wraps at 2^31.
 *
 * Every section is one line, `<nonce> <name> rc=… ms=… tries=… out=<base64>`, with `nonce` the
 * run's own marker (see newRunNonce); a last line `<nonce> end` says the script ran to its end.
 */
export function buildPodScript(plan: CheckPlan, nonce: string): string {
  const t = String(plan.timeoutSeconds);
  // Ping adaptively (-A: next packet as soon as the reply is back) so N packets take
  // milliseconds, not N seconds; -w bounds the whole run.
  const pingDeadline = String(plan.timeoutSeconds + plan.pingCount);
  const wget = (url: string) => `timeout ${t} wget -q -O - ${shellQuote(url)}`;
  // Each identity fetch names its probe and carries the run's token: nginx's log then says which
  // of them it served (see checks/serverWitness.ts).
  const token = witnessToken(nonce);
  // Who answered is asked only of a target that served the page: one that did not has failed
  // already, and asking again would only wait out the same timeouts.
  const http = httpTargets(plan).map(
    ([page, identity, host, port]) =>
      `probe ${page} ${PROBE_ATTEMPTS} ${shellQuote(wget(httpUrl(host, port)))} && ` +
      `probe ${identity} ${PROBE_ATTEMPTS} ${shellQuote(wget(httpUrl(host, port, witnessedPath(IDENTITY_PATH, token, identity))))}`,
  );
  const probes: Array<[SectionName, string, number]> = [
    ["dns", `timeout ${t} nslookup ${shellQuote(serviceFqdn(plan))}`, PROBE_ATTEMPTS],
    // Ping is not retried: its loss is what it measures.
    ["ping", `ping -c ${plan.pingCount} -A -w ${pingDeadline} ${shellQuote(plan.serverPodIp)}`, 1],
    // The path at its full MTU: a large response, and pings that fill eth0's MTU (IP header 20 and
    // ICMP header 8 bytes on top of the payload). busybox ping cannot set don't-fragment, but a
    // packet of exactly the MTU is not fragmented by the pod, and VXLAN then needs MTU + 50.
    [
      "large-http",
      `timeout ${t} sh -c ${shellQuote(`wget -q -O - ${shellQuote(httpUrl(plan.serverPodIp, plan.serverPort, LARGE_PATH))} | head -c ${LARGE_BYTES} | wc -c`)}`,
      PROBE_ATTEMPTS,
    ],
    [
      "mtu-ping",
      `ping -c 3 -A -s $(($(cat /sys/class/net/eth0/mtu) - 28)) -w ${t} ${shellQuote(plan.serverPodIp)}`,
      1,
    ],
    ["ip-addr", "ip addr show dev eth0", 1],
    ["ip-route", "ip route", 1],
    // The client's own node (its default gateway, the bridge): the same-node half of any path.
    [
      "gateway-ping",
      `ping -c 2 -A -w ${t} "$(ip route | awk '/^default/ {print $3; exit}')"`,
      PROBE_ATTEMPTS,
    ],
  ];
  // Only the A record is asked while waiting: an AAAA asked before CoreDNS knows the name would be
  // cached as NXDOMAIN, and the resolver behind wget, which asks both, would then walk the search
  // path past the Service. The HTTP half uses the short name, the exact path service-dns-http takes.
  // While CoreDNS answers NXDOMAIN (it has not seen the Service yet) the wait may run to the longer
  // bound; any other failure keeps the short one.
  const serviceReady = [
    "service_ready() {",
    "  fqdn=$1; url=$2; bound=$3; lag_bound=$4; start=$(stamp); tries=0; dns=no; http=no; unknown=no",
    "  while :; do",
    "    tries=$((tries + 1))",
    '    if [ "$dns" != yes ]; then',
    '      answer=$(timeout 2 nslookup -type=a "$fqdn" 2>&1) && dns=yes',
    '      case "$answer" in *NXDOMAIN*) unknown=yes ;; *) unknown=no ;; esac',
    "    fi",
    '    [ "$dns" = yes ] && { timeout 2 wget -q -O /dev/null "$url" >/dev/null 2>&1 && http=yes; }',
    '    [ "$http" = yes ] && break',
    '    limit=$bound; [ "$dns" != yes ] && [ "$unknown" = yes ] && limit=$lag_bound',
    '    [ $(($(stamp) - start)) -ge "$limit" ] && break',
    "    sleep 0.2",
    "  done",
    '  rc=1; [ "$http" = yes ] && rc=0',
    '  detail="name resolves: $dns; $url serves: $http"',
    '  [ "$dns" != yes ] && [ "$unknown" = yes ] && detail="$detail; DNS answered NXDOMAIN: CoreDNS does not know the name"',
    '  section service-ready "$rc" "$(($(stamp) - start))" "$tries" "$detail"',
    "}",
  ];
  return (
    [
      ...scriptPreamble(nonce),
      ...serviceReady,
      `service_ready ${shellQuote(serviceFqdn(plan))} ${shellQuote(httpUrl(plan.serviceName, plan.servicePort))} ${serviceReadyBoundMs(plan)} ${serviceNameLagBoundMs(plan)}`,
      ...http,
      ...probes.map(([name, cmd, attempts]) => `probe ${name} ${attempts} ${shellQuote(cmd)}`),
      `printf '%s end\\n' "$nonce"`,
    ].join("\n") + "\n"
  );
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
    "stamp() {",
    '  adjtimex 2>/dev/null | awk \'/tv_sec/{s=$2} /tv_usec/{u=$2} END{if (s != "") printf "%.0f\\n", s*1000 + u/1000}\' | grep . ||',
    "    awk '{printf \"%.0f\\n\", $1*1000}' /proc/uptime",
    "}",
    // The output goes out encoded, on the section's own line: it can hold any bytes, newlines and
    // markers included, and still not end the line.
    "section() {",
    `  printf '%s %s rc=%s ms=%s tries=%s out=%s\\n' "$nonce" "$1" "$2" "$3" "$4" "$(printf '%s' "$5" | base64 | tr -d '\\n')"`,
    "}",
    "probe() {",
    "  name=$1; attempts=$2; cmd=$3; tries=0",
    "  start=$(stamp)",
    "  while :; do",
    '    tries=$((tries + 1)); out=$(sh -c "$cmd" 2>&1); rc=$?',
    '    if [ "$rc" -eq 0 ] || [ "$tries" -ge "$attempts" ]; then break; fi',
    "    sleep 1",
    "  done",
    "  end=$(stamp)",
    '  section "$name" "$rc" "$((end - start))" "$tries" "$out"',
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
