import { LARGE_BYTES } from "../contract/identity";
import { shellQuote as q } from "./script";

/**
 * The probe kinds as busybox commands: every scenario's probes are built from these, so a rule of
 * how a probe runs (no redirect followed unseen, `timeout` around the network command itself,
 * never around a shell) holds for every pod that probes. `wget -T` is avoided on purpose: Debian's
 * busybox 1.35 wget segfaults with it, so `timeout` bounds every fetch instead.
 */

/**
 * How often a failing network probe runs before it counts as failed, one second apart. A Service
 * that has just got its endpoints may still be missing its kube-proxy rules for a moment; retrying,
 * as Cilium's connectivity test does, keeps that from reading as a broken network.
 */
export const PROBE_ATTEMPTS = 3;

/** An http:// URL; the host must already be a name or address, never a shell word. */
export function httpUrl(host: string, port: number, path = "/"): string {
  return `http://${host}:${port}${path}`;
}

/**
 * An HTTP GET that prints every response's headers (`-S`, two spaces in front of each) before the
 * body: busybox wget follows redirects and cannot be told not to, so the status lines are how a
 * redirect is seen (probe/parsers.ts's readResponse) and failed, never taken for the page.
 */
export function httpGet(url: string, timeoutSeconds: number): string {
  return `timeout ${timeoutSeconds} wget -S -q -O - ${q(url)}`;
}

/**
 * A request that must be refused: unanswered within `boundMs`, a shell arithmetic expression (a
 * bound the script derived from a time it measured). busybox's `timeout` counts whole seconds, so
 * wget runs in the background and a sleeper stops it at the bound (exit 143, as `timeout`'s
 * SIGTERM would); the bound used is printed last (`bound <ms> ms`), as evidence. A Service just
 * made answers "Network is unreachable" from a node whose kube-proxy has no rule for its ClusterIP
 * yet (seen on the local k3s, 10 ms in, from the other node): no policy's refusal, and soon over,
 * so that answer is tried again half a second later, for up to `retrySeconds`; any other outcome
 * (refused, dropped, answered) is the probe's. Only the status lines are kept (`-S`; the body goes
 * to /dev/null): what answered is told by them, and a body held while the bound runs out could be
 * endless.
 */
export function refusedGet(url: string, boundMs: string, retrySeconds: number): string {
  return (
    `b=$((${boundMs})); s=$((b / 1000)).$((b % 1000 / 100))$((b % 100 / 10))$((b % 10)); ` +
    `n=0; while :; do out=$(wget -S -q -O /dev/null ${q(url)} 2>&1 & w=$!; ` +
    `( sleep "$s"; kill "$w" ) >/dev/null 2>&1 & k=$!; wait "$w"; rc=$?; kill "$k" 2>/dev/null; exit "$rc"); rc=$?; ` +
    `case "$out" in *"Network is unreachable"*) n=$((n + 1)); ` +
    `[ "$n" -lt ${2 * retrySeconds} ] && { sleep 0.5; continue; };; esac; ` +
    `printf '%s\nbound %s ms\n' "$out" "$b"; exit "$rc"; done`
  );
}

/**
 * The large body, counted: how many of LARGE_BYTES arrived, last on its own line, after "stalled"
 * where the transfer ran into its timeout; succeeds only when all of them did.
 */
export function httpLarge(url: string, timeoutSeconds: number): string {
  return (
    `n=$({ ${httpGet(url, timeoutSeconds)}; s=$?; ` +
    `[ "$s" -eq 124 ] || [ "$s" -eq 143 ] && echo stalled >&2; } | head -c ${LARGE_BYTES} | wc -c); ` +
    `echo "$n"; [ "$n" -eq ${LARGE_BYTES} ]`
  );
}

/** `count` pings, adaptively (the next as soon as the reply is back), within `deadline` seconds. */
export function ping(ip: string, count: number, deadlineSeconds: number): string {
  return `ping -c ${count} -A -w ${deadlineSeconds} ${q(ip)}`;
}

/**
 * Pings that fill eth0's MTU (IP header 20 and ICMP header 8 bytes on top of the payload). busybox
 * ping cannot set don't-fragment, but a packet of exactly the MTU is not fragmented by the pod,
 * and VXLAN then needs MTU + 50.
 */
export function mtuPing(ip: string, timeoutSeconds: number): string {
  return `ping -c 3 -A -s $(($(cat /sys/class/net/eth0/mtu) - 28)) -w ${timeoutSeconds} ${q(ip)}`;
}

/** Two pings to the pod's default gateway: its own node, the same-node half of every path. */
export function gatewayPing(timeoutSeconds: number): string {
  return `ping -c 2 -A -w ${timeoutSeconds} "$(ip route | awk '/^default/ {print $3; exit}')"`;
}

/**
 * The Kubernetes API's ClusterIP, from the variables the kubelet gives every container: something
 * every pod reaches by IP, and a TLS port that answers a plain HTTP request with a 400, so any
 * status line proves the path (no ICMP needed: the stranger has no NET_RAW).
 */
export function apiServerGet(timeoutSeconds: number): string {
  return `timeout ${timeoutSeconds} wget -S -q -O - "http://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/"`;
}

/** A name asked of the cluster's DNS. */
export function dnsLookup(name: string, timeoutSeconds: number): string {
  return `timeout ${timeoutSeconds} nslookup ${q(name)}`;
}

/**
 * The bounded wait for a new Service to answer before its probes run: its FQDN must resolve and
 * its URL serve. Right after a Service is created, kube-proxy may not have its rules yet; a
 * bounded poll establishes that readiness instead of a fixed sleep. While CoreDNS answers NXDOMAIN
 * (it has not seen the Service yet: after an API server restart its watch reconnects with
 * backoff, and each NXDOMAIN is cached for 5 s) the wait may run to `lagBoundMs`; any other
 * failure keeps `boundMs`. Only the A record is asked: an AAAA asked before CoreDNS knows the name
 * would be cached as NXDOMAIN, and the resolver behind wget, which asks both, would then walk the
 * search path past the Service.
 */
export function serviceWait(
  fqdn: string,
  url: string,
  boundMs: number,
  lagBoundMs: number,
): string {
  return `service_wait ${q(fqdn)} ${q(url)} ${boundMs} ${lagBoundMs}`;
}

/** The shell function serviceWait calls: it prints what it saw and fails when nothing answered. */
export const SERVICE_WAIT_FUNCTION: readonly string[] = [
  "service_wait() {",
  "  fqdn=$1; url=$2; bound=$3; lag_bound=$4; stamp; wait_start=$now; dns=no; http=no; unknown=no",
  "  while :; do",
  '    if [ "$dns" != yes ]; then',
  '      answer=$(timeout 2 nslookup -type=a "$fqdn" 2>&1) && dns=yes',
  '      case "$answer" in *NXDOMAIN*) unknown=yes ;; *) unknown=no ;; esac',
  "    fi",
  '    [ "$dns" = yes ] && { timeout 2 wget -q -O /dev/null "$url" >/dev/null 2>&1 && http=yes; }',
  '    [ "$http" = yes ] && break',
  '    limit=$bound; [ "$dns" != yes ] && [ "$unknown" = yes ] && limit=$lag_bound',
  '    stamp; [ $((now - wait_start)) -ge "$limit" ] && break',
  "    sleep 0.2",
  "  done",
  '  echo "name resolves: $dns; $url serves: $http"',
  '  [ "$dns" != yes ] && [ "$unknown" = yes ] && echo "DNS answered NXDOMAIN: CoreDNS does not know the name"',
  '  [ "$http" = yes ]',
  "}",
];

/** The pod's own interface and routes, as the walkthrough reads them; a node's links. */
export const IP_ADDR_ETH0 = "ip addr show dev eth0";
export const IP_ADDR = "ip addr";
export const IP_ROUTE = "ip route";
