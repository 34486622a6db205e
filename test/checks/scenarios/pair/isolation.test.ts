import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { refusedGet } from "../../../../checks/probe/commands";
import { describe, expect, it } from "vitest";
import { PolicyFacts } from "../../../../checks/scenarios/pair/isolation";
import { buildScript, parseScriptOutput, Section } from "../../../../checks/probe/script";
import { witnessToken } from "../../../../checks/witness/request";
import { strangerScript } from "../../../../checks/scenarios/pair/probes";
import { CheckPlan, CheckResult } from "../../../../checks/contract/types";
import {
  evaluateChecks,
  evaluatePolicyChecks,
  fixture,
  judged,
  sectionsOf,
  seedEndpoints,
  seedNodes,
  seedPlan,
  seedScriptOutput,
  TEST_NONCE,
} from "../../../helpers";

const policy = {
  strangerPod: "stranger-client",
  strangerContainer: "busybox",
  denyBoundSeconds: 2,
};
const plan: CheckPlan = { ...seedPlan, policy };
const enforced: PolicyFacts = {
  isolatedBy: ["pod-to-pod-default-deny", "nginx-allow-client"],
  allowedBy: ["nginx-allow-client"],
  allowed: true,
  strangerEgressBy: [],
  serverIp: "10.42.0.7",
};
const section = (rc: number, output: string, ms = 2001): Section => ({ rc, ms, tries: 1, output });
const dropped = section(143, "");
const resolves = section(0, fixture("busybox/nslookup-ok.txt"), 4);
// What the stranger's wget to the API's ClusterIP prints: its TLS port's answer to plain HTTP.
const apiAnswers = section(
  1,
  "  HTTP/1.0 400 Bad Request\n  \nwget: server returned error: HTTP/1.0 400 Bad Request",
  4,
);

function stranger(overrides: Record<string, Section> = {}): Map<string, Section> {
  return new Map(
    Object.entries({
      "stranger-pod-ip": dropped,
      "stranger-service": dropped,
      "stranger-dns": resolves,
      "stranger-api": apiAnswers,
      ...overrides,
    }),
  );
}

const byName = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.name, r]));
const stamp = { checkedAt: "2026-12-01T19:00:00.000Z", runnerVersion: "test" };

describe("evaluatePolicyChecks", () => {
  it("passes a stranger refused on both paths while it still reaches its own node and CoreDNS", () => {
    const checks = byName(evaluatePolicyChecks(plan, policy, stranger(), enforced));
    expect(checks["policy-allows-client"]).toMatchObject({
      ok: true,
      detail:
        "nginx-server is isolated by pod-to-pod-default-deny, nginx-allow-client; busybox-client is let in on port 80 by nginx-allow-client",
    });
    expect(checks["stranger-to-pod-ip"]).toMatchObject({ ok: true, facts: { got: "dropped" } });
    expect(checks["stranger-to-pod-ip"].detail).toBe(
      "denied as expected after 2001 ms (dropped: no answer from 10.42.0.7:80 before the timeout)",
    );
    expect(checks["stranger-to-service"].ok).toBe(true);
    expect(checks["stranger-dns"]).toMatchObject({ ok: true });
  });

  it("counts a refused connection as a denial too", () => {
    const refused = section(1, fixture("busybox/wget-refused.txt"), 3);
    expect(
      byName(
        evaluatePolicyChecks(plan, policy, stranger({ "stranger-pod-ip": refused }), enforced),
      )["stranger-to-pod-ip"],
    ).toMatchObject({
      ok: true,
      facts: { got: "refused" },
    });
  });

  it("fails a stranger that got through, saying the policy is not enforced", () => {
    const through = section(0, fixture("seeds/wget-pod-ip.txt"), 3);
    const check = byName(
      evaluatePolicyChecks(plan, policy, stranger({ "stranger-pod-ip": through }), enforced),
    )["stranger-to-pod-ip"];
    expect(check).toMatchObject({ ok: false, facts: { got: "through" } });
    expect(check.detail).toContain("the NetworkPolicy is not enforced");
  });

  it("fails a stranger whose request was answered, even where the bound then stopped a slow body", () => {
    // What refusedGet prints when the answer's headers came and the body was still coming.
    const answered = section(143, "  HTTP/1.1 200 OK\n  Server: nginx\n  \nbound 300 ms", 3);
    const check = byName(
      evaluatePolicyChecks(plan, policy, stranger({ "stranger-pod-ip": answered }), enforced),
    )["stranger-to-pod-ip"];
    expect(check).toMatchObject({ ok: false, facts: { got: "through" } });
    expect(check.detail).toBe(
      "stranger-client reached 10.42.0.7:80, which the policies refuse it: the NetworkPolicy is not enforced",
    );
  });

  it("does not count a dead stranger's silence as a denial: one that does not reach the API either", () => {
    const checks = byName(
      evaluatePolicyChecks(plan, policy, stranger({ "stranger-api": section(143, "") }), enforced),
    );
    expect(checks["stranger-to-pod-ip"]).toMatchObject({ ok: false, facts: { got: "nothing" } });
    expect(checks["stranger-to-pod-ip"].detail).toBe(
      "10.42.0.7:80 did not answer stranger-client, but the stranger does not reach the Kubernetes API either: its refusal proves nothing",
    );
    expect(checks["stranger-dns"].ok).toBe(true);
  });

  it("keeps each probe's own fate: CoreDNS down fails stranger-dns alone", () => {
    const checks = byName(
      evaluatePolicyChecks(
        plan,
        policy,
        stranger({ "stranger-dns": section(1, fixture("busybox/nslookup-unreachable.txt")) }),
        enforced,
      ),
    );
    expect(checks["stranger-dns"].ok).toBe(false);
    expect(checks["stranger-to-pod-ip"]).toMatchObject({ ok: true, facts: { got: "dropped" } });
    expect(checks["stranger-to-service"]).toMatchObject({ ok: true, facts: { got: "dropped" } });
  });

  it("does not count a refusal the stranger's own egress policy makes", () => {
    const own = byName(
      evaluatePolicyChecks(plan, policy, stranger(), {
        ...enforced,
        strangerEgressBy: ["lockdown"],
      }),
    );
    expect(own["stranger-to-pod-ip"]).toMatchObject({ ok: false, facts: { got: "own-egress" } });
    expect(own["stranger-to-pod-ip"].detail).toBe(
      "10.42.0.7:80 did not answer stranger-client, but lockdown restricts the stranger's own egress: the refusal proves nothing of the server's side",
    );
  });

  it("fails an HTTP error: a server answered, which no policy does", () => {
    const error = section(1, fixture("busybox/wget-404.txt"), 3);
    expect(
      byName(evaluatePolicyChecks(plan, policy, stranger({ "stranger-service": error }), enforced))[
        "stranger-to-service"
      ].ok,
    ).toBe(false);
  });

  it("fails policy-allows-client when nothing isolates nginx, or nothing lets the client in", () => {
    const open = byName(
      evaluatePolicyChecks(plan, policy, stranger(), {
        isolatedBy: [],
        allowedBy: [],
        allowed: true,
        strangerEgressBy: [],
        serverIp: "10.42.0.7",
      }),
    );
    expect(open["policy-allows-client"].detail).toContain("no NetworkPolicy selects nginx-server");
    const shut = byName(
      evaluatePolicyChecks(plan, policy, stranger(), {
        isolatedBy: ["pod-to-pod-default-deny"],
        allowedBy: [],
        allowed: false,
        strangerEgressBy: [],
        serverIp: "10.42.0.7",
      }),
    );
    expect(shut["policy-allows-client"]).toMatchObject({
      ok: false,
      detail:
        "nginx-server is isolated by pod-to-pod-default-deny and no policy lets busybox-client in on port 80",
    });
    expect(
      byName(evaluatePolicyChecks(plan, policy, stranger(), new Error("forbidden")))[
        "policy-allows-client"
      ].detail,
    ).toContain("forbidden");
  });
});

describe("the NetworkPolicy diagnoses", () => {
  const lab = (overrides: Record<string, { rc: number; output: string }> = {}) =>
    evaluateChecks(plan, sectionsOf(seedScriptOutput(overrides)), seedNodes, seedEndpoints);

  it("says the policy is not enforced when the stranger gets through, naming what a k3s user checks", () => {
    const through = section(0, fixture("seeds/wget-pod-ip.txt"), 3);
    const verification = judged(
      [
        ...lab(),
        ...evaluatePolicyChecks(plan, policy, stranger({ "stranger-service": through }), enforced),
      ],
      stamp,
    );
    expect(verification.diagnosis?.layer).toBe("policy-enforcement");
    expect(verification.diagnosis?.summary).toContain(
      "NetworkPolicy is not enforced by this cluster",
    );
    expect(verification.diagnosis?.summary).toContain("--disable-network-policy");
    expect(verification.diagnosis?.summary).toContain(
      "pod-to-pod-default-deny, nginx-allow-client",
    );
  });

  it("blames the policy, not the network, when the client is refused by it", () => {
    const timedOut = { rc: 143, output: "" };
    const shut: PolicyFacts = {
      isolatedBy: ["pod-to-pod-default-deny"],
      allowedBy: [],
      allowed: false,
      strangerEgressBy: [],
      serverIp: "10.42.0.7",
    };
    const verification = judged(
      [
        ...lab({
          "pod-ip-http": timedOut,
          "service-dns-http": timedOut,
          "service-fqdn-http": timedOut,
          "service-clusterip-http": timedOut,
          ping: { rc: 1, output: fixture("busybox/ping-loss.txt") },
        }),
        ...evaluatePolicyChecks(plan, policy, stranger(), shut),
      ],
      stamp,
    );
    expect(verification.diagnosis?.layer).toBe("network-policy");
    expect(verification.diagnosis?.summary).toContain(
      "no policy lets busybox-client in on port 80",
    );
  });

  it("says so when the stranger reaches nothing at all", () => {
    const verification = judged(
      [
        ...lab(),
        ...evaluatePolicyChecks(
          plan,
          policy,
          stranger({ "stranger-dns": section(1, ""), "stranger-api": section(143, "") }),
          enforced,
        ),
      ],
      stamp,
    );
    expect(verification.diagnosis?.layer).toBe("network-policy");
    expect(verification.diagnosis?.summary).toContain("cannot be told from a dead pod");
  });

  it("blames the Service, not the policies, when the stranger's node does not route the ClusterIP (as the local k3s did once, on the other node)", () => {
    const unrouted = section(
      1,
      "wget: can't connect to remote host (10.43.12.34): Network is unreachable",
      10,
    );
    const checks = evaluatePolicyChecks(
      plan,
      policy,
      stranger({ "stranger-service": unrouted }),
      enforced,
    );
    expect(checks.find((c) => c.name === "stranger-to-service")).toMatchObject({
      ok: false,
      facts: { got: "unreachable" },
      detail:
        "10.43.12.34:80 failed for stranger-client, but not as a policy refuses: network is unreachable to 10.43.12.34 (10.43.12.34:80)",
    });
    const verification = judged([...lab(), ...checks], stamp);
    expect(verification.diagnosis?.layer).toBe("service");
    expect(verification.diagnosis?.summary).toContain("kube-proxy on the stranger's node");
  });

  it("passes all fourteen when isolated and enforced", () => {
    const verification = judged(
      [...lab(), ...evaluatePolicyChecks(plan, policy, stranger(), enforced)],
      stamp,
    );
    expect(verification).toMatchObject({ passed: 14, failed: 0 });
  });
});

describe("the stranger's probes", () => {
  it("asks the API first, then the pod IP and the ClusterIP within a bound scaled by it; CoreDNS beside them", () => {
    const spec = strangerScript(plan, policy, TEST_NONCE);
    // Each request carries the run's witness token: nginx's log then shows whether it got in.
    const url = (host: string, probe: string) =>
      `http://${host}:80/pod-to-pod/identity?pod-to-pod-run=${witnessToken(TEST_NONCE)}&probe=${probe}`;
    const bound =
      "10 * ${ms_stranger_api:-2000} < 300 ? 300 : 10 * ${ms_stranger_api:-2000} > 2000 ? 2000 : 10 * ${ms_stranger_api:-2000}";
    const api = {
      name: "stranger-api",
      attempts: 1,
      command:
        'timeout 5 wget -S -q -O - "http://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/"',
    };
    const refusal = (host: string, name: string) => [
      { probe: { name, attempts: 1, command: refusedGet(url(host, name), bound, 2) } },
    ];
    expect(spec.jobs).toEqual([
      [
        { probe: api },
        {
          together: [
            refusal("10.42.0.7", "stranger-pod-ip"),
            refusal("10.43.12.34", "stranger-service"),
          ],
        },
      ],
      [
        {
          probe: {
            name: "stranger-dns",
            attempts: 1,
            command: "timeout 5 nslookup 'nginx-service.pod-to-pod.svc.cluster.local'",
          },
        },
      ],
    ]);
    expect(spec.parallelism).toBe(2);
    // The API at its 5 s timeout, a refusal at its 2 s bound after 2 s of unrouted tries, 2 s spare.
    expect(spec.deadlineSeconds).toBe(11);
  });

  it("waits ten times the API's answer for a refusal, at least 300 ms and at most the deny bound", () => {
    const bound = strangerScript(plan, policy, TEST_NONCE).jobs[0][1];
    const command = "together" in bound ? bound.together[0][0] : undefined;
    const expression = command && "probe" in command ? command.probe.command : "";
    const boundOf = (apiMs: string) =>
      spawnSync("/bin/sh", ["-c", `${apiMs} ${expression.split(";")[0]}; echo "$b"`], {
        encoding: "utf8",
      }).stdout.trim();
    expect(boundOf("ms_stranger_api=0;")).toBe("300");
    expect(boundOf("ms_stranger_api=20;")).toBe("300");
    expect(boundOf("ms_stranger_api=70;")).toBe("700");
    expect(boundOf("ms_stranger_api=900;")).toBe("2000");
    // The API never answered (no time measured): the deny bound itself.
    expect(boundOf("")).toBe("2000");
  });

  it("the stranger's whole script, run: the API answers, both refusals are dropped at their bound and pass", () => {
    // Stand-ins: the API's ClusterIP answers plain HTTP with a 400 at once; the nginx pod and the
    // Service never answer (a policy drops the SYN); CoreDNS answers.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "stranger-script-"));
    const write = (name: string, lines: string[]) =>
      fs.writeFileSync(path.join(bin, name), ["#!/bin/sh", ...lines].join("\n"), { mode: 0o755 });
    write("timeout", ['shift; exec "$@"']);
    write("wget", [
      'case "$*" in *10.43.0.1:443*) printf \'  HTTP/1.0 400 Bad Request\\n  \\n\'; echo "wget: server returned error: HTTP/1.0 400 Bad Request"; exit 1;; esac',
      "exec sleep 30",
    ]);
    write("nslookup", [
      `cat ${JSON.stringify(path.join(__dirname, "../../../fixtures/busybox/nslookup-ok.txt"))}`,
    ]);
    const run = spawnSync(
      "/bin/sh",
      ["-c", buildScript(strangerScript(plan, policy, TEST_NONCE))],
      {
        env: {
          PATH: `${bin}:/usr/bin:/bin`,
          KUBERNETES_SERVICE_HOST: "10.43.0.1",
          KUBERNETES_SERVICE_PORT: "443",
        },
        encoding: "utf8",
      },
    );
    fs.rmSync(bin, { recursive: true, force: true });
    const { sections, complete } = parseScriptOutput(run.stdout, TEST_NONCE);
    expect(complete).toBe(true);
    for (const name of ["stranger-pod-ip", "stranger-service"]) {
      expect(sections.get(name), name).toMatchObject({ rc: 143, tries: 1 });
      // The shell's own word on the stopped wget ("Terminated") comes first, the bound last.
      expect(sections.get(name)?.output.split("\n").at(-1), name).toBe("bound 300 ms");
    }
    const checks = byName(evaluatePolicyChecks(plan, policy, sections, enforced));
    expect([checks["stranger-to-pod-ip"], checks["stranger-to-service"]]).toMatchObject([
      { ok: true, facts: { got: "dropped" } },
      { ok: true, facts: { got: "dropped" } },
    ]);
  }, 30_000);

  /** Runs refusedGet with a stand-in wget (its script's lines) on PATH. */
  function refusedWith(wget: string[], boundMs: string) {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "refused-get-"));
    fs.writeFileSync(path.join(bin, "count"), "0");
    fs.writeFileSync(path.join(bin, "wget"), ["#!/bin/sh", ...wget].join("\n"), { mode: 0o755 });
    const started = Date.now();
    const run = spawnSync("/bin/sh", ["-c", refusedGet("http://10.43.12.34:80/", boundMs, 2)], {
      env: { PATH: `${bin}:/usr/bin:/bin`, BIN: bin },
      encoding: "utf8",
    });
    fs.rmSync(bin, { recursive: true, force: true });
    return { status: run.status, stdout: run.stdout, ms: Date.now() - started };
  }

  it("sends a request to an address not routed yet again, and stops at the first other answer", () => {
    // A wget that finds the ClusterIP unrouted twice (kube-proxy catching up), then refused.
    const run = refusedWith(
      [
        'n=$(($(cat "$BIN/count") + 1)); echo $n > "$BIN/count"',
        'if [ "$n" -le 2 ]; then echo "wget: can\'t connect to remote host (10.43.12.34): Network is unreachable"; exit 1; fi',
        'echo "wget: can\'t connect to remote host (10.43.12.34): Connection refused"; exit 1',
      ],
      "300",
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(
      "wget: can't connect to remote host (10.43.12.34): Connection refused\nbound 300 ms\n",
    );
  });

  it("stops a request nothing answers at its bound, not when the request gives up, as timeout would (143)", () => {
    const run = refusedWith(["exec sleep 5"], "300");
    expect(run.status).toBe(143);
    expect(run.stdout).toBe("\nbound 300 ms\n");
    expect(run.ms).toBeLessThan(3000);
  });

  it("gives a request that got through its answer and status", () => {
    const run = refusedWith(['echo "Welcome to nginx!"'], "300");
    expect(run.status).toBe(0);
    expect(run.stdout).toBe("Welcome to nginx!\nbound 300 ms\n");
  });
});
