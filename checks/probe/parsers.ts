import { CUT_RC, OUTPUT_BOUND_BYTES } from "./script";

/**
 * Parsers for what busybox prints inside the client pod. Each was written against real captures
 * (test/fixtures/) and returns a typed value, or undefined where the text is not what was expected.
 */

/** The page nginx serves by default, in the official image and in Debian's package alike. */
export const NGINX_WELCOME = "Welcome to nginx!";

/** What a `wget -S -q -O -` run amounted to. */
export interface WgetOutcome {
  /** The welcome page came back. */
  readonly ok: boolean;
  /** What happened, for a person. */
  readonly detail: string;
  /** The kind of failure, for diagnosis. */
  readonly failure?:
    | "timeout"
    | "refused"
    | "unreachable"
    | "unresolved"
    | "http-error"
    | "redirect"
    | "unexpected-body"
    | "wrong-server"
    | "oversized"
    | "other";
}

/** A fetch's response as `wget -S` prints it: every status line and Location, then the body. */
export interface HttpResponse {
  /** The status of every response, redirects first. */
  readonly statuses: readonly number[];
  /** Where a redirect pointed. */
  readonly locations: readonly string[];
  /** What followed the last header block: the body (and wget's own error line, if any). */
  readonly body: string;
}

/**
 * Splits `wget -S` output into headers and body. busybox prints each header line with two spaces in
 * front, a line of just two spaces after the last block, then the body: only lines before that
 * line are headers, so a body cannot add or hide a status. A redirect's block comes first.
 */
export function readResponse(output: string): HttpResponse {
  const lines = output.split("\n");
  const end = lines.indexOf("  ");
  const headers = (end >= 0 ? lines.slice(0, end) : lines).filter((line) => line.startsWith("  "));
  const body = end >= 0 ? lines.slice(end + 1) : lines.filter((line) => !line.startsWith("  "));
  return {
    statuses: headers.flatMap((line) => {
      const status = /^ {2}HTTP\/\d(?:\.\d)? (\d{3})/.exec(line);
      return status ? [Number(status[1])] : [];
    }),
    locations: headers.flatMap((line) => {
      const location = /^ {2}location:\s*(.*)$/i.exec(line);
      return location ? [location[1].trim()] : [];
    }),
    body: body.join("\n"),
  };
}

/**
 * A fetch that succeeded, or why it did not. A 3xx anywhere fails it, naming where it pointed:
 * busybox wget follows redirects, and a page fetched from elsewhere proves nothing of the target.
 */
export function fetched(
  rc: number,
  output: string,
  target: string,
): { readonly ok: true; readonly body: string } | (WgetOutcome & { readonly ok: false }) {
  const response = readResponse(output);
  const redirect = response.statuses.find((status) => status >= 300 && status < 400);
  if (redirect !== undefined) {
    return {
      ok: false,
      failure: "redirect",
      detail: `${target} answered ${redirect}, a redirect to ${response.locations[0] ?? "no Location"}: redirects are not followed, the target itself must serve`,
    };
  }
  if (rc !== 0) {
    return { ...wgetFailure(rc, response.body, target), ok: false };
  }
  return { ok: true, body: response.body };
}

/** Reads a busybox wget result from its exit status and combined output. */
export function parseWget(rc: number, output: string, target: string): WgetOutcome {
  const response = fetched(rc, output, target);
  if (!response.ok) {
    return response;
  }
  if (response.body.includes(NGINX_WELCOME)) {
    return { ok: true, detail: `"${NGINX_WELCOME}" from ${target}` };
  }
  return {
    ok: false,
    failure: "unexpected-body",
    detail: `${target} answered, but not with the nginx page: "${bodyStart(response.body)}"`,
  };
}

/** The first characters of a body, on one line, as evidence. */
export function bodyStart(output: string): string {
  return output.replace(/\s+/g, " ").trim().slice(0, 80).trimEnd();
}

/** What a failed (non-zero) busybox wget run says went wrong. */
export function wgetFailure(rc: number, output: string, target: string): WgetOutcome {
  if (rc === CUT_RC) {
    return {
      ok: false,
      failure: "oversized",
      detail: `${target} sent more than ${OUTPUT_BOUND_BYTES / 1024} KiB, cut there (the lab's servers answer in under 1 KiB), beginning "${bodyStart(readResponse(output).body)}"`,
    };
  }
  // `timeout` ends the probe with 124 (its own exit) or 143 (SIGTERM reached wget).
  if (rc === 124 || rc === 143) {
    return { ok: false, failure: "timeout", detail: `no answer from ${target} before the timeout` };
  }
  const refused = /can't connect to remote host \(([^)]*)\): Connection refused/.exec(output);
  if (refused) {
    return {
      ok: false,
      failure: "refused",
      detail: `connection refused by ${refused[1]} (${target})`,
    };
  }
  const unreachable =
    /can't connect to remote host \(([^)]*)\): (Network is unreachable|No route to host|Host is unreachable)/.exec(
      output,
    );
  if (unreachable) {
    return {
      ok: false,
      failure: "unreachable",
      detail: `${unreachable[2].toLowerCase()} to ${unreachable[1]} (${target})`,
    };
  }
  const unresolved = /bad address '([^':]*)(?::\d+)?'/.exec(output);
  if (unresolved) {
    return {
      ok: false,
      failure: "unresolved",
      detail: `name ${unresolved[1]} did not resolve (wget: bad address)`,
    };
  }
  const httpError = /server returned error: (HTTP\/\S+ \d{3}[^\n]*)/.exec(output);
  if (httpError) {
    return {
      ok: false,
      failure: "http-error",
      detail: `${target} returned ${httpError[1].trim()}`,
    };
  }
  const firstLine = output.split("\n").find((line) => line.trim() !== "") ?? "(no output)";
  return {
    ok: false,
    failure: "other",
    detail: `wget exited ${rc} for ${target}: ${firstLine.trim()}`,
  };
}

/** Round-trip times of a ping run, in milliseconds. */
export interface RoundTrip {
  readonly min: number;
  readonly avg: number;
  readonly max: number;
}

/** The statistics block that busybox ping prints last. */
export interface PingSummary {
  readonly transmitted: number;
  readonly received: number;
  readonly lossPercent: number;
  /** Replies that came back twice (busybox's "DUP!"), when any did. */
  readonly duplicates?: number;
  /** Absent when no reply came back. */
  readonly rtt?: RoundTrip;
}

/** Reads busybox ping's statistics; undefined when the output has none (ping did not run). */
export function parsePing(output: string): PingSummary | undefined {
  // busybox adds "+N duplicates, " between the counts and the loss when a reply came twice.
  const counts =
    /(\d+) packets transmitted, (\d+) packets received, (?:\+(\d+) duplicates, )?(\d+(?:\.\d+)?)% packet loss/.exec(
      output,
    );
  if (!counts) {
    return undefined;
  }
  const rtt = /round-trip min\/avg\/max = ([\d.]+)\/([\d.]+)\/([\d.]+) ms/.exec(output);
  return {
    transmitted: Number(counts[1]),
    received: Number(counts[2]),
    ...(counts[3] ? { duplicates: Number(counts[3]) } : {}),
    lossPercent: Number(counts[4]),
    ...(rtt ? { rtt: { min: Number(rtt[1]), avg: Number(rtt[2]), max: Number(rtt[3]) } } : {}),
  };
}

/** One IPv4 address on an interface, with its prefix length. */
export interface InterfaceAddress {
  readonly address: string;
  readonly prefixLength: number;
}

/** One interface as `ip addr` shows it. */
export interface NetworkInterface {
  /** Index inside the pod's namespace. */
  readonly index: number;
  /** Name, e.g. eth0. */
  readonly name: string;
  /** For a veth, the index of its peer in the other namespace (the `@ifN`): the host-side end. */
  readonly peerIndex?: number;
  readonly mtu: number;
  readonly up: boolean;
  readonly mac?: string;
  readonly ipv4: readonly InterfaceAddress[];
}

/** Reads `ip addr` output (busybox or iproute2) into interfaces. */
export function parseIpAddr(output: string): NetworkInterface[] {
  const interfaces: NetworkInterface[] = [];
  let current: { -readonly [K in keyof NetworkInterface]: NetworkInterface[K] } | undefined;
  for (const line of output.split("\n")) {
    const head = /^(\d+): ([^:@\s]+)(?:@if(\d+)|@\S+)?: <([^>]*)> mtu (\d+)/.exec(line);
    if (head) {
      current = {
        index: Number(head[1]),
        name: head[2],
        ...(head[3] ? { peerIndex: Number(head[3]) } : {}),
        mtu: Number(head[5]),
        up: head[4].split(",").includes("UP"),
        ipv4: [],
      };
      interfaces.push(current);
      continue;
    }
    const ether = /^\s+link\/ether ([0-9a-f:]{17})/.exec(line);
    if (ether && current) {
      current.mac = ether[1];
    }
    const inet = /^\s+inet (\d+\.\d+\.\d+\.\d+)\/(\d+)/.exec(line);
    if (inet && current) {
      current.ipv4 = [...current.ipv4, { address: inet[1], prefixLength: Number(inet[2]) }];
    }
  }
  return interfaces;
}

/** One IPv4 route as `ip route` shows it. */
export interface Route {
  /** `default` or a CIDR. */
  readonly destination: string;
  readonly via?: string;
  readonly dev?: string;
  readonly scope?: string;
  readonly src?: string;
}

/** Reads `ip route` output into routes. */
export function parseIpRoute(output: string): Route[] {
  const routes: Route[] = [];
  for (const line of output.split("\n")) {
    const words = line.trim().split(/\s+/);
    if (words[0] === "" || words.length === 0) {
      continue;
    }
    const valueOf = (key: string): string | undefined => {
      const at = words.indexOf(key);
      return at >= 0 && at + 1 < words.length ? words[at + 1] : undefined;
    };
    const via = valueOf("via");
    const dev = valueOf("dev");
    const scope = valueOf("scope");
    const src = valueOf("src");
    routes.push({
      destination: words[0],
      ...(via ? { via } : {}),
      ...(dev ? { dev } : {}),
      ...(scope ? { scope } : {}),
      ...(src ? { src } : {}),
    });
  }
  return routes;
}

/** What busybox nslookup answered. */
export interface NslookupAnswer {
  /** The DNS server asked. */
  readonly server?: string;
  /** Addresses given for the name (A and AAAA). */
  readonly addresses: readonly string[];
  /** The error line, when the lookup failed. */
  readonly error?: string;
}

/** Reads busybox nslookup output. */
export function parseNslookup(output: string): NslookupAnswer {
  const server = /^Server:\s+(\S+)/m.exec(output)?.[1];
  const addresses: string[] = [];
  let inAnswer = false;
  for (const line of output.split("\n")) {
    if (/^Name:\s/.test(line)) {
      inAnswer = true;
      continue;
    }
    const address = /^Address(?: \d+)?:\s+(\S+)/.exec(line);
    if (inAnswer && address) {
      addresses.push(address[1]);
    }
  }
  const error = output
    .split("\n")
    .map((line) => line.trim())
    .find((line) =>
      /can't find|no servers could be reached|NXDOMAIN|SERVFAIL|REFUSED|Connection refused/i.test(
        line,
      ),
    );
  return {
    ...(server ? { server } : {}),
    addresses,
    ...(error && addresses.length === 0 ? { error } : {}),
  };
}
