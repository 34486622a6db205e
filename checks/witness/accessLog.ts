import { z } from "zod";
import { WITNESS_PARAM } from "./request";

/**
 * One request a lab server logged, in the lab's log format (components/nginxConf.ts): nginx writes
 * it with `escape=json`, so a request can put nothing but escaped text into its own line.
 */
const ENTRY = z.strictObject({
  remote: z.string(),
  method: z.string(),
  host: z.string(),
  uri: z.string(),
  status: z.string().regex(/^\d{3}$/),
});

/** One request as the server logged it. */
export interface ServedRequest {
  /** Who it came from, as the server saw the connection. */
  readonly remote: string;
  readonly method: string;
  /** The Host header it carried. */
  readonly host: string;
  /** The request URI, query included. */
  readonly uri: string;
  /** The HTTP status the server answered with. */
  readonly status: number;
}

/** A server's log of one run: its entries, and the lines that were not entries. */
export interface AccessLog {
  readonly requests: readonly ServedRequest[];
  /** Lines that look like entries (`{…`) but are not one in the lab's exact format. */
  readonly malformed: number;
}

/**
 * Reads `kubectl logs` of a lab server. The server writes its access log alone to that stream
 * (its error log goes to a file: a request can make nginx write raw text there), and every line
 * is parsed strictly: an entry has exactly the format's fields, each a string. Anything else is no
 * entry: the image's start-up lines are skipped, a line that only looks like one is counted.
 */
export function parseAccessLog(text: string): AccessLog {
  const requests: ServedRequest[] = [];
  let malformed = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) {
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      malformed += 1;
      continue;
    }
    const entry = ENTRY.safeParse(value);
    if (!entry.success) {
      malformed += 1;
      continue;
    }
    requests.push({ ...entry.data, status: Number(entry.data.status) });
  }
  return { requests, malformed };
}

/** The probe a request names, when it carries one of `tokens`. */
export function probeOf(request: ServedRequest, tokens: ReadonlySet<string>): string | undefined {
  const query = new URLSearchParams(request.uri.split("?")[1] ?? "");
  const token = query.get(WITNESS_PARAM);
  return token && tokens.has(token) ? (query.get("probe") ?? undefined) : undefined;
}

/**
 * The requests of this run (any of its tokens: a thousand nodes' run has two thousand, looked up
 * for each of its hundred thousand requests), by the probe that sent them.
 */
export function requestsOfRun(
  log: AccessLog,
  tokens: ReadonlySet<string>,
): Map<string, ServedRequest[]> {
  const byProbe = new Map<string, ServedRequest[]>();
  for (const request of log.requests) {
    const probe = probeOf(request, tokens);
    if (!probe) {
      continue;
    }
    const logged = byProbe.get(probe);
    if (logged) {
      logged.push(request);
    } else {
      byProbe.set(probe, [request]);
    }
  }
  return byProbe;
}
