import { startBounded } from "../probe/boundedPool";
import { kubectlError, KubectlRunner } from "../probe/exec";
import { parseAccessLog, requestsOfRun } from "./accessLog";
import { awaitingLogs, Claim, judgeClaim, LogEvidence, ServerLog, Verdict } from "./witness";

/** How often, and how far apart, a server's log is read again for a request not logged yet. */
export const LOG_REREADS = 4;
export const LOG_REREAD_MS = 250;
/** How far before the run a log is read from: room for a clock the node and this disagree on. */
export const LOG_SKEW_MS = 5 * 60_000;

/** `--since-time` for a run that started at `startMs`: the run's start, less the clock's margin. */
export function logSinceTime(startMs: number): string {
  return new Date(startMs - LOG_SKEW_MS).toISOString();
}

/** What reading the servers' logs needs. */
export interface LogReading {
  readonly run: KubectlRunner;
  readonly context: readonly string[];
  readonly namespace: string;
  /** The server pod behind each server key the claims name. */
  readonly pods: ReadonlyMap<string, string>;
  /** The run's tokens (one per script). */
  readonly tokens: readonly string[];
  /** The run's start (logSinceTime). */
  readonly since: string;
  readonly timeoutMs: number;
  /** At most this many `kubectl logs` at once. */
  readonly parallelism: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * How the servers' logs are read: `kubectl logs` of each server pod (by default), or all at once
   * by some other way (the mesh's reports): each server's log text, or why there is none, as it
   * comes, so each is read and let go before the last arrives.
   */
  readonly readAll?: (servers: readonly string[]) => ReadonlyArray<Promise<string | Error>>;
}

/** Each server's log by `kubectl logs`, since the run began, `parallelism` at a time. */
function kubectlLogs(
  reading: LogReading,
  servers: readonly string[],
): ReadonlyArray<Promise<string | Error>> {
  return startBounded(servers, reading.parallelism, async (server) => {
    const result = await reading.run(
      [
        ...reading.context,
        "logs",
        "-n",
        reading.namespace,
        reading.pods.get(server) as string,
        `--since-time=${reading.since}`,
      ],
      reading.timeoutMs,
    );
    return result.code === 0 ? result.stdout : new Error(kubectlError(result.stderr));
  });
}

/**
 * Every server's access log since the run began, one `kubectl logs` per server pod the claims
 * name (or as `readAll` reads them); then, briefly, again for the servers whose log still lacks a
 * request a prober reported as served. Each log, as it is read, settles the claims of its own server that it shows, and only
 * the rest of it is kept (LogEvidence). The one log reader of every scenario.
 */
export async function readServerLogs(
  reading: LogReading,
  claims: readonly Claim[],
): Promise<LogEvidence> {
  const tokens = new Set(reading.tokens);
  const sleep = reading.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const served = new Map<string, Claim[]>();
  for (const claim of claims.filter((c) => c.expect === "served")) {
    const own = served.get(claim.server);
    if (own) {
      own.push(claim);
    } else {
      served.set(claim.server, [claim]);
    }
  }
  const settled = new Map<string, Verdict>();
  const rest = new Map<string, ServerLog>();
  const readOne = (server: string, text: string | Error): void => {
    if (text instanceof Error) {
      rest.set(server, text);
      return;
    }
    const log = requestsOfRun(parseAccessLog(text), tokens);
    const own = new Map([[server, log]]);
    for (const claim of served.get(server) ?? []) {
      if (log.has(claim.probe)) {
        settled.set(claim.probe, judgeClaim(claim, own));
        log.delete(claim.probe);
      }
    }
    rest.set(server, log);
  };
  const readAll = reading.readAll ?? ((servers) => kubectlLogs(reading, servers));
  let servers = [...new Set(claims.map((claim) => claim.server))].filter((server) =>
    reading.pods.has(server),
  );
  for (let round = 0; servers.length > 0; round++) {
    await Promise.all(
      readAll(servers).map((text, at) => text.then((read) => readOne(servers[at], read))),
    );
    const open = claims.filter((claim) => !settled.has(claim.probe));
    servers = round < LOG_REREADS ? awaitingLogs(open, rest) : [];
    if (servers.length > 0) {
      await sleep(LOG_REREAD_MS);
    }
  }
  return { settled, logs: rest };
}
