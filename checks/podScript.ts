import { CheckPlan } from "./types";

/** The marker that opens each section of the script's output. */
export const SECTION_MARKER = "@@pod-to-pod-section";

/** The raw output of one probe run inside the client pod. */
export interface Section {
  /** Exit status of the probe (124 or 143 when `timeout` killed it). */
  readonly rc: number;
  /** Wall time the probe took, in milliseconds. */
  readonly ms: number;
  /** Its combined stdout and stderr. */
  readonly output: string;
}

/** Names of the probes the script runs, one section each. */
export type SectionName =
  | "pod-ip-http"
  | "service-dns-http"
  | "service-fqdn-http"
  | "service-clusterip-http"
  | "dns"
  | "ping"
  | "ip-addr"
  | "ip-route";

/** Quotes a value for a POSIX shell: every value in the script passes through here. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The fully qualified DNS name of the plan's Service. */
export function serviceFqdn(plan: CheckPlan): string {
  return `${plan.serviceName}.${plan.namespace}.svc.${plan.clusterDomain}`;
}

function httpUrl(host: string, port: number): string {
  return `http://${host}:${port}/`;
}

/**
 * The shell script that runs every probe inside the client pod, in one `kubectl exec`.
 *
 * Only busybox applets are used. `wget -T` is avoided on purpose: Debian's busybox 1.35 wget
 * segfaults with it, so `timeout` bounds every probe instead. Timestamps come from `adjtimex`
 * (microseconds) because busybox `date` has no `%N`; /proc/uptime (10 ms) is the fallback. awk
 * prints with %.0f: busybox awk's %d wraps at 2^31.
 */
export function buildPodScript(plan: CheckPlan): string {
  const t = String(plan.timeoutSeconds);
  // Ping adaptively (-A: next packet as soon as the reply is back) so N packets take
  // milliseconds, not N seconds; -w bounds the whole run.
  const pingDeadline = String(plan.timeoutSeconds + plan.pingCount);
  const probes: Array<[SectionName, string]> = [
    [
      "pod-ip-http",
      `timeout ${t} wget -q -O - ${shellQuote(httpUrl(plan.serverPodIp, plan.serverPort))}`,
    ],
    [
      "service-dns-http",
      `timeout ${t} wget -q -O - ${shellQuote(httpUrl(plan.serviceName, plan.servicePort))}`,
    ],
    [
      "service-fqdn-http",
      `timeout ${t} wget -q -O - ${shellQuote(httpUrl(serviceFqdn(plan), plan.servicePort))}`,
    ],
    [
      "service-clusterip-http",
      `timeout ${t} wget -q -O - ${shellQuote(httpUrl(plan.serviceClusterIp, plan.servicePort))}`,
    ],
    ["dns", `timeout ${t} nslookup ${shellQuote(serviceFqdn(plan))}`],
    ["ping", `ping -c ${plan.pingCount} -A -w ${pingDeadline} ${shellQuote(plan.serverPodIp)}`],
    ["ip-addr", "ip addr show dev eth0"],
    ["ip-route", "ip route"],
  ];
  const lines = [
    "stamp() {",
    '  adjtimex 2>/dev/null | awk \'/tv_sec/{s=$2} /tv_usec/{u=$2} END{if (s != "") printf "%.0f\\n", s*1000 + u/1000}\' | grep . ||',
    "    awk '{printf \"%.0f\\n\", $1*1000}' /proc/uptime",
    "}",
    "probe() {",
    "  name=$1; shift",
    "  start=$(stamp)",
    '  out=$(sh -c "$1" 2>&1); rc=$?',
    "  end=$(stamp)",
    `  printf '%s %s rc=%s ms=%s\\n%s\\n' '${SECTION_MARKER}' "$name" "$rc" "$((end - start))" "$out"`,
    "}",
    ...probes.map(([name, cmd]) => `probe ${name} ${shellQuote(cmd)}`),
  ];
  return lines.join("\n") + "\n";
}

const SECTION_HEADER = new RegExp(`^${SECTION_MARKER} (\\S+) rc=(\\d+) ms=(-?\\d+)$`);

/** Splits the script's output into its sections, keyed by probe name. */
export function parseSections(stdout: string): Map<string, Section> {
  const sections = new Map<string, Section>();
  let current: { name: string; rc: number; ms: number; lines: string[] } | undefined;
  const flush = () => {
    if (current) {
      const output = current.lines.join("\n").replace(/\n+$/, "");
      sections.set(current.name, { rc: current.rc, ms: Math.max(0, current.ms), output });
    }
  };
  for (const line of stdout.split("\n")) {
    const header = SECTION_HEADER.exec(line);
    if (header) {
      flush();
      current = { name: header[1], rc: Number(header[2]), ms: Number(header[3]), lines: [] };
    } else if (current) {
      current.lines.push(line);
    }
  }
  flush();
  return sections;
}
