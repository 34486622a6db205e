import { describe, expect, it } from "vitest";
import {
  applyServerWitness,
  awaitsServerLog,
  parseAccessLog,
  readLogSettled,
  requestsByProbe,
  requestsOfRun,
  witnessedPath,
  witnessToken,
} from "../../checks/witness/serverWitness";
import { CheckResult } from "../../checks/contract/types";
import { seedPlan, TEST_NONCE } from "../helpers";

const token = witnessToken(TEST_NONCE);

function line(remote: string, probe: string, tokenOf = token, status = 200): string {
  return JSON.stringify({
    remote,
    uri: witnessedPath("/pod-to-pod/identity", tokenOf, probe),
    status: String(status),
  });
}

const passed = (name: CheckResult["name"], detail: string): CheckResult => ({
  name,
  ok: true,
  detail,
  ms: 3,
});

describe("the server's witness", () => {
  it("derives a token that is not the nonce and differs per run", () => {
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(token).not.toBe(TEST_NONCE);
    expect(witnessToken("f".repeat(32))).not.toBe(token);
  });

  it("reads the lab's JSON access-log lines and skips the error log and cut lines", () => {
    const log = [
      "2026/12/01 22:00:00 [warn] 1#1: something",
      line("10.42.0.5", "pod-ip-identity"),
      '{"remote":"10.42.0.5","uri":"/pod-to',
      JSON.stringify({ remote: "10.42.1.9", uri: "/", status: "200" }),
    ].join("\n");
    expect(parseAccessLog(log)).toEqual([
      {
        remote: "10.42.0.5",
        uri: `/pod-to-pod/identity?pod-to-pod-run=${token}&probe=pod-ip-identity`,
        status: 200,
      },
      { remote: "10.42.1.9", uri: "/", status: 200 },
    ]);
  });

  it("keeps only this run's requests, by the probe that sent them", () => {
    const requests = parseAccessLog(
      [
        line("10.42.0.5", "pod-ip-identity"),
        line("10.42.0.5", "pod-ip-identity"),
        line("10.42.0.5", "service-dns-identity", witnessToken("e".repeat(32))),
        JSON.stringify({ remote: "10.42.0.5", uri: "/?probe=service-dns-identity", status: "200" }),
      ].join("\n"),
    );
    const byProbe = requestsByProbe(requests, token);
    expect([...byProbe.keys()]).toEqual(["pod-ip-identity"]);
    expect(byProbe.get("pod-ip-identity")).toHaveLength(2);
  });

  it("carries a probe name with node names and arrows intact, and reads it back by any of the run's tokens", () => {
    const other = witnessToken("e".repeat(32));
    const uri = witnessedPath("/pod-to-pod/identity", other, "pod/vm->p2p-node2");
    expect(uri).toBe(`/pod-to-pod/identity?pod-to-pod-run=${other}&probe=pod%2Fvm-%3Ep2p-node2`);
    const requests = [
      { remote: "10.42.0.11", uri, status: 200 },
      { remote: "10.42.1.11", uri: witnessedPath("/", token, "service/vm"), status: 200 },
      {
        remote: "10.42.1.11",
        uri: witnessedPath("/", witnessToken("d".repeat(32)), "service/x"),
        status: 200,
      },
    ];
    const byProbe = requestsOfRun(requests, [token, other]);
    expect([...byProbe.keys()].sort()).toEqual(["pod/vm->p2p-node2", "service/vm"]);
  });

  it("reads a log again, at most four times, while a request it waits for is missing", async () => {
    let reads = 0;
    const slept: number[] = [];
    const sleep = async (ms: number) => {
      slept.push(ms);
    };
    expect(
      await readLogSettled(
        async () => ++reads,
        (n) => n < 3,
        sleep,
      ),
    ).toBe(3);
    expect(slept).toEqual([250, 250]);
    reads = 0;
    expect(
      await readLogSettled(
        async () => ++reads,
        () => true,
        sleep,
      ),
    ).toBe(5);
  });

  it("fails a stranger's denial when nginx-server logged the stranger's request", () => {
    const denied: CheckResult = {
      ...passed("stranger-to-pod-ip", "denied as expected after 2003 ms (dropped: timeout)"),
      facts: { got: "dropped" },
    };
    const log = new Map([["stranger-pod-ip", [{ remote: "10.42.1.4", uri: "/?x", status: 200 }]]]);
    const [result] = applyServerWitness([denied], log, seedPlan);
    expect(result.ok).toBe(false);
    expect(result.detail).toContain(
      "but nginx-server logged the stranger's request from 10.42.1.4 (status 200): the policies let it through",
    );
    expect(result.facts?.got).toBe("through");
  });

  it("confirms a stranger's denial from the server's side when nothing arrived", () => {
    const denied = passed("stranger-to-service", "denied as expected after 2004 ms");
    const [result] = applyServerWitness([denied], new Map(), seedPlan);
    expect(result.ok).toBe(true);
    expect(result.detail).toContain("nginx-server's access log confirms none arrived");
  });

  it("leaves checks without a witnessed request alone, and a failed fetch failed", () => {
    const dns = passed("dns", "resolves");
    const failedFetch: CheckResult = { name: "pod-ip-http", ok: false, detail: "timeout", ms: 3 };
    expect(applyServerWitness([dns, failedFetch], new Map(), seedPlan)).toEqual([dns, failedFetch]);
  });

  it("re-reads the log only while a pass has no logged request", () => {
    const results = [passed("pod-ip-http", "ok")];
    expect(awaitsServerLog(results, new Map())).toBe(true);
    expect(
      awaitsServerLog(
        results,
        new Map([["pod-ip-identity", [{ remote: "a", uri: "/", status: 200 }]]]),
      ),
    ).toBe(false);
    expect(awaitsServerLog(results, new Error("forbidden"))).toBe(false);
  });
});
