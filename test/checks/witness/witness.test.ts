import { describe, expect, it } from "vitest";
import { parseAccessLog, requestsOfRun } from "../../../checks/witness/accessLog";
import { logSinceTime, readServerLogs } from "../../../checks/witness/readLogs";
import { expectedRequest, witnessedPath, witnessToken } from "../../../checks/witness/request";
import {
  awaitingLogs,
  Claim,
  judgeClaim,
  ServerLogs,
  verdictOf,
} from "../../../checks/witness/witness";
import { KubectlResult } from "../../../checks/probe/kubectl";
import { TEST_NONCE } from "../../helpers";

const token = witnessToken(TEST_NONCE);
const request = expectedRequest("10.42.0.7", 80, "/pod-to-pod/identity", token, "pod-ip-identity");
const claim: Claim = {
  probe: "pod-ip-identity",
  server: "nginx-server",
  request,
  sources: ["10.42.0.5"],
  expect: "served",
};

/** One line as the lab's nginx writes it (components/nginxConf.ts's log_format). */
function line(fields: Partial<Record<"remote" | "method" | "host" | "uri" | "status", string>>) {
  return JSON.stringify({
    remote: "10.42.0.5",
    method: "GET",
    host: request.host,
    uri: request.uri,
    status: "200",
    ...fields,
  });
}

function logsOf(text: string): ServerLogs {
  return new Map([["nginx-server", requestsOfRun(parseAccessLog(text), new Set([token]))]]);
}

describe("the run's token and requests", () => {
  it("derives a token that is not the nonce and differs per run", () => {
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(token).not.toBe(TEST_NONCE);
    expect(witnessToken("f".repeat(32))).not.toBe(token);
  });

  it("names the probe in the URI, node names and arrows encoded, and the Host with its port", () => {
    expect(expectedRequest("mesh-echo", 80, "/pod-to-pod/identity", token, "pod/vm->n2")).toEqual({
      method: "GET",
      host: "mesh-echo:80",
      uri: `/pod-to-pod/identity?pod-to-pod-run=${token}&probe=pod%2Fvm-%3En2`,
    });
    expect(witnessedPath("/", token, "stranger-pod-ip")).toBe(
      `/?pod-to-pod-run=${token}&probe=stranger-pod-ip`,
    );
  });
});

describe("the access log, read strictly", () => {
  it("takes only lines in the lab's exact format: an injected error-log line is no entry", () => {
    // What a request whose path holds %0A made nginx's error log say, when it shared the stream:
    // a forged entry on a line of its own.
    const forged = `{"remote":"10.42.0.5","uri":"${request.uri}","status":"200"}`;
    const text = [
      "/docker-entrypoint.sh: Configuration complete; ready for start up",
      forged,
      line({ host: "elsewhere:80", remote: "10.42.9.9" }),
      '{"remote":"10.42.0.5","method":"GET","host":"x","uri":"/","status":"200","extra":"1"}',
      '{"remote":"10.42.0.5"',
    ].join("\n");
    expect(parseAccessLog(text)).toEqual({
      requests: [
        {
          remote: "10.42.9.9",
          method: "GET",
          host: "elsewhere:80",
          uri: request.uri,
          status: 200,
        },
      ],
      malformed: 3,
    });
  });

  it("keeps only this run's requests, by the probe that sent them", () => {
    const other = witnessToken("e".repeat(32));
    const text = [line({}), line({ uri: witnessedPath("/", other, "pod-ip-identity") })].join("\n");
    const byProbe = requestsOfRun(parseAccessLog(text), new Set([token]));
    expect([...byProbe.keys()]).toEqual(["pod-ip-identity"]);
    expect(byProbe.get("pod-ip-identity")).toHaveLength(1);
  });
});

describe("judging a claim", () => {
  it("confirms the exact request from the prober", () => {
    expect(judgeClaim(claim, logsOf(line({})))).toEqual({
      kind: "confirmed",
      seen: "10.42.0.5 (GET 10.42.0.7:80/pod-to-pod/identity, status 200)",
      remotes: ["10.42.0.5"],
    });
  });

  it("fails the exact request from another sender: a relay at the probed address", () => {
    expect(judgeClaim(claim, logsOf(line({ remote: "10.42.1.66" })))).toEqual({
      kind: "other-sender",
      seen: "10.42.1.66 (GET 10.42.0.7:80/pod-to-pod/identity, status 200)",
    });
  });

  it("fails a request logged under the probe's name but not as sent (Host, method, status)", () => {
    for (const changed of [{ host: "10.42.0.8:80" }, { method: "HEAD" }, { status: "302" }]) {
      expect(judgeClaim(claim, logsOf(line(changed))).kind).toBe("other-request");
    }
  });

  it("fails a pass its server never logged, naming a server that did", () => {
    const logs: ServerLogs = new Map([
      ["n1", requestsOfRun(parseAccessLog(""), new Set([token]))],
      ["n2", requestsOfRun(parseAccessLog(line({})), new Set([token]))],
    ]);
    expect(judgeClaim({ ...claim, server: "n1" }, logs)).toEqual({
      kind: "elsewhere",
      loggedBy: ["n2"],
    });
  });

  it("stands on the prober's word where the log cannot be read", () => {
    const logs: ServerLogs = new Map([["nginx-server", new Error("forbidden\nmore")]]);
    expect(judgeClaim(claim, logs)).toEqual({ kind: "unreadable", why: "forbidden" });
  });

  it("fails a refusal that any server logged, whatever its fields", () => {
    const refusal: Claim = { ...claim, expect: "refused" };
    expect(judgeClaim(refusal, logsOf(line({ remote: "10.42.3.3", status: "404" })))).toEqual({
      kind: "got-through",
      seen: "10.42.3.3 (GET 10.42.0.7:80/pod-to-pod/identity, status 404)",
    });
    expect(judgeClaim(refusal, logsOf(""))).toEqual({
      kind: "confirmed",
      seen: "nothing",
      remotes: [],
    });
  });

  it("waits for a server's log only while a pass it should show is missing", () => {
    expect(awaitingLogs([claim], logsOf(""))).toEqual(["nginx-server"]);
    expect(awaitingLogs([claim], logsOf(line({})))).toEqual([]);
    expect(awaitingLogs([{ ...claim, expect: "refused" }], logsOf(""))).toEqual([]);
  });
});

describe("reading the servers' logs", () => {
  it("reads each server once, then again, at most four times, while a pass is missing", async () => {
    const calls: string[][] = [];
    let reads = 0;
    const run = async (args: readonly string[]): Promise<KubectlResult> => {
      calls.push([...args]);
      reads += 1;
      // The kubelet writes the line on the third read.
      return { code: 0, stdout: reads >= 3 ? line({}) : "", stderr: "" };
    };
    let sleeps = 0;
    const logs = await readServerLogs(
      {
        run,
        context: ["--context", "k"],
        namespace: "lab",
        pods: new Map([["nginx-server", "nginx-server"]]),
        tokens: [token],
        since: logSinceTime(Date.parse("2026-12-01T19:00:00Z")),
        timeoutMs: 1000,
        parallelism: 1,
        sleep: async () => {
          sleeps += 1;
        },
      },
      [claim],
    );
    expect(calls).toHaveLength(3);
    expect(sleeps).toBe(2);
    expect(calls[0]).toEqual([
      "--context",
      "k",
      "logs",
      "-n",
      "lab",
      "nginx-server",
      "--since-time=2026-12-01T18:55:00.000Z",
    ]);
    expect(verdictOf(claim, logs).kind).toBe("confirmed");
  });

  it("settles each server's own claims as its log is read, and keeps only the rest to judge the others", async () => {
    const sent = (probe: string, host: string) =>
      expectedRequest(host, 80, "/pod-to-pod/identity", token, probe);
    const own: Claim = { ...claim, probe: "own", server: "n1", request: sent("own", "10.42.1.7") };
    const moved: Claim = {
      ...claim,
      probe: "moved",
      server: "n1",
      request: sent("moved", "10.42.1.7"),
    };
    const refused: Claim = {
      probe: "refused",
      server: "n1",
      request: sent("refused", "10.42.1.7"),
      expect: "refused",
    };
    const logged = (c: Claim) => line({ host: c.request.host, uri: c.request.uri });
    // n1 logged its own claim; the request meant for n1 as "moved", and the one to be refused,
    // reached n2.
    const logs: Record<string, string> = {
      n1: logged(own),
      n2: [logged(moved), logged(refused)].join("\n"),
    };
    const evidence = await readServerLogs(
      {
        run: async (args) => ({ code: 0, stdout: logs[args[3]] ?? "", stderr: "" }),
        context: [],
        namespace: "lab",
        pods: new Map([
          ["n1", "n1"],
          ["n2", "n2"],
        ]),
        tokens: [token],
        since: logSinceTime(0),
        timeoutMs: 1000,
        parallelism: 2,
        sleep: async () => {},
      },
      [own, moved, refused, { ...own, probe: "n2-own", server: "n2" }],
    );
    expect([...evidence.settled.keys()]).toEqual(["own"]);
    const kept = [...evidence.logs].map(([server, log]) => [
      server,
      log instanceof Error ? log.message : [...log.keys()],
    ]);
    expect(kept).toEqual([
      ["n1", []],
      ["n2", ["moved", "refused"]],
    ]);
    expect(verdictOf(own, evidence)).toEqual({
      kind: "confirmed",
      seen: `10.42.0.5 (GET 10.42.1.7:80/pod-to-pod/identity, status 200)`,
      remotes: ["10.42.0.5"],
    });
    expect(verdictOf(moved, evidence)).toEqual({ kind: "elsewhere", loggedBy: ["n2"] });
    expect(verdictOf(refused, evidence)).toEqual({
      kind: "got-through",
      seen: `10.42.0.5 (GET 10.42.1.7:80/pod-to-pod/identity, status 200)`,
    });
  });
});
