import { describe, expect, it } from "vitest";
import { KubectlResult } from "../../../../checks/probe/kubectl";
import { buildScript } from "../../../../checks/probe/script";
import { clientScript, podScriptDeadlineSeconds } from "../../../../checks/scenarios/pair/probes";
import { kubectlError } from "../../../../checks/probe/exec";
import { CheckRunError } from "../../../../checks/scenarios/pair";
import { runPlan } from "../../../../checks/runPlan";
import { KubectlRunner } from "../../../../checks/probe/exec";
import { witnessedPath, witnessToken } from "../../../../checks/witness/request";
import { CheckPlan } from "../../../../checks/contract/types";
import {
  endpointSlicesJson,
  fixture,
  nonceOf,
  scriptOutput,
  seedEndpoints,
  seedPlan,
  seedScriptOutput,
  TEST_NONCE,
} from "../../../helpers";

const nodesJson = JSON.stringify({
  items: [
    {
      kind: "Node",
      metadata: { name: "vagrant" },
      spec: { podCIDR: "10.42.0.0/24", podCIDRs: ["10.42.0.0/24"] },
    },
  ],
});

/** What the pair reads of its namespace in one list, without isolation and with it. */
const LAB_KINDS = "endpointslices";
const ISOLATED_LAB_KINDS = "endpointslices,pods,networkpolicies";

const slicesOk: KubectlResult = { code: 0, stdout: endpointSlicesJson(seedEndpoints), stderr: "" };
const stamp = { runnerVersion: "0.1.0+test", now: () => new Date("2026-12-01T19:00:00Z") };

/** The pair alone through the one orchestration, as a plan of one scenario. */
function runChecks(plan: CheckPlan, run: KubectlRunner, at: typeof stamp, kubeContext?: string) {
  return runPlan({ pair: plan }, run, {
    runnerVersion: at.runnerVersion,
    now: () => at.now().getTime(),
    ...(kubeContext ? { kubeContext } : {}),
  });
}

/**
 * A kubectl that answers the exec with what `exec` makes of the script the runner sent (its
 * nonce included), and the reads with the given results.
 */
function fakeKubectl(
  exec: KubectlResult | ((nonce: string) => KubectlResult),
  nodes: KubectlResult,
  slices: KubectlResult = slicesOk,
  pods: KubectlResult = { code: 0, stdout: '{"items":[]}', stderr: "" },
  serverLog: (tokens: string[]) => KubectlResult = servedEveryIdentity,
) {
  const calls: string[][] = [];
  const tokens: string[] = [];
  const run = async (args: readonly string[]) => {
    calls.push([...args]);
    if (args.includes("exec")) {
      const nonce = nonceOf(args[args.length - 1]);
      tokens.push(witnessToken(nonce));
      return typeof exec === "function" ? exec(nonce) : exec;
    }
    if (args.includes("logs")) {
      return serverLog(tokens);
    }
    // The lab's namespace in one list (its slices), the pods at an IP across namespaces, the nodes.
    return args.includes(LAB_KINDS) ? slices : args.includes("pods") ? pods : nodes;
  };
  return { calls, run };
}

/** nginx's access log line for one request, in the lab's format. */
function logLine(remote: string, host: string, uri: string, status = 200): string {
  return JSON.stringify({ remote, method: "GET", host, uri, status: String(status) });
}

/** The client's checks over HTTP, the probe behind each, and the Host its request carried. */
const CLIENT_WITNESSED: Array<[string, string, string]> = [
  ["pod-ip-http", "pod-ip-identity", "10.42.0.7:80"],
  ["service-dns-http", "service-dns-identity", "nginx-service:80"],
  ["service-fqdn-http", "service-fqdn-identity", "nginx-service.pod-to-pod.svc.cluster.local:80"],
  ["service-clusterip-http", "service-clusterip-identity", "10.43.12.34:80"],
];

/** The log of a healthy run: nginx served each of the client's identity fetches, from the client. */
function servedEveryIdentity(tokens: string[]): KubectlResult {
  const lines = [
    ...CLIENT_WITNESSED.map(([, probe, host]) =>
      logLine(seedPlan.clientPodIp, host, witnessedPath("/pod-to-pod/identity", tokens[0], probe)),
    ),
    // The 64 KiB of the path MTU check, witnessed as every HTTP pass is.
    logLine(
      seedPlan.clientPodIp,
      "10.42.0.7:80",
      witnessedPath("/pod-to-pod/large", tokens[0], "pod-ip-large"),
    ),
  ];
  return { code: 0, stdout: ["2026/12/01 [notice] start", ...lines].join("\n") + "\n", stderr: "" };
}

const healthy = (nonce: string): KubectlResult => ({
  code: 0,
  stdout: seedScriptOutput({}, nonce),
  stderr: "",
});

describe("runChecks", () => {
  it("makes four kubectl calls, exec, get nodes, one list of the lab's namespace and the server's log, on the given context", async () => {
    const { calls, run } = fakeKubectl(healthy, { code: 0, stdout: nodesJson, stderr: "" });
    const verification = await runChecks(seedPlan, run, stamp, "k3s-vm");
    expect(verification).toMatchObject({
      passed: 10,
      failed: 0,
      checkedAt: "2026-12-01T19:00:00.000Z",
      runnerVersion: "0.1.0+test",
    });
    expect(calls).toHaveLength(4);
    expect(calls[0].slice(0, 10)).toEqual([
      "--context",
      "k3s-vm",
      "exec",
      "-n",
      "pod-to-pod",
      "busybox-client",
      "-c",
      "busybox",
      "--",
      "sh",
    ]);
    expect(calls[1]).toEqual(["--context", "k3s-vm", "get", "nodes", "vagrant", "-o", "json"]);
    expect(calls[2]).toEqual([
      "--context",
      "k3s-vm",
      "get",
      LAB_KINDS,
      "-n",
      "pod-to-pod",
      "-o",
      "json",
    ]);
    // After the probes: nginx's own log, from a margin before the run for a skewed clock.
    expect(calls[3]).toEqual([
      "--context",
      "k3s-vm",
      "logs",
      "-n",
      "pod-to-pod",
      "nginx-server",
      "--since-time=2026-12-01T18:55:00.000Z",
    ]);
    const podIp = verification.checks.find((c) => c.name === "pod-ip-http");
    expect(podIp?.detail).toContain(
      "nginx-server logged it from 10.42.0.5 (GET 10.42.0.7:80/pod-to-pod/identity, status 200)",
    );
    expect(podIp?.facts?.serverSaw).toBe("10.42.0.5");
  });

  it("fails a pass that nginx-server never served: the client's word alone is not a verdict", async () => {
    // A client (or something at the address) that replays nginx-server's UID without nginx
    // serving it: only the Service's fetches are in nginx's log.
    const { run } = fakeKubectl(
      healthy,
      { code: 0, stdout: nodesJson, stderr: "" },
      slicesOk,
      undefined,
      (tokens) => {
        const served = servedEveryIdentity(tokens);
        return {
          ...served,
          stdout: served.stdout
            .split("\n")
            .filter((l) => !l.includes("probe=pod-ip-identity"))
            .join("\n"),
        };
      },
    );
    const verification = await runChecks(seedPlan, run, stamp);
    const podIp = verification.checks.find((c) => c.name === "pod-ip-http");
    expect(podIp?.ok).toBe(false);
    expect(podIp?.detail).toContain(
      "but nginx-server never logged this request: the answer came from elsewhere",
    );
    expect(podIp?.facts?.failure).toBe("not-served");
    expect(verification.checks.find((c) => c.name === "service-dns-http")?.ok).toBe(true);
    expect(verification.failed).toBe(1);
  });

  it("does not count another run's logged requests: the token is this run's", async () => {
    const { run } = fakeKubectl(
      healthy,
      { code: 0, stdout: nodesJson, stderr: "" },
      slicesOk,
      undefined,
      () => servedEveryIdentity([witnessToken("e".repeat(32))]),
    );
    const verification = await runChecks(seedPlan, run, stamp);
    expect(verification.failed).toBe(4);
    expect(
      verification.checks.filter((c) => c.facts?.serverSaw === "nothing").map((c) => c.name),
    ).toEqual(CLIENT_WITNESSED.map(([check]) => check));
  });

  it("says so, and keeps the client's verdict, when the server's log cannot be read", async () => {
    const { run } = fakeKubectl(
      healthy,
      { code: 0, stdout: nodesJson, stderr: "" },
      slicesOk,
      undefined,
      () => ({
        code: 1,
        stdout: "",
        stderr: 'pods "nginx-server" is forbidden: cannot get resource "pods/log"',
      }),
    );
    const verification = await runChecks(seedPlan, run, stamp);
    expect(verification.failed).toBe(0);
    const podIp = verification.checks.find((c) => c.name === "pod-ip-http");
    expect(podIp?.detail).toContain(
      'nginx-server\'s log could not be read (pods "nginx-server" is forbidden',
    );
    expect(podIp?.detail).toContain("the client's word alone");
    expect(podIp?.facts?.serverSaw).toBe("unreadable");
  });

  it("draws a fresh marker for every run", async () => {
    const { calls, run } = fakeKubectl(healthy, { code: 0, stdout: nodesJson, stderr: "" });
    await runChecks(seedPlan, run, stamp);
    await runChecks(seedPlan, run, stamp);
    const [first, second] = calls.filter((c) => c.includes("exec")).map((c) => nonceOf(c.at(-1)!));
    expect(first).not.toBe(second);
  });

  it("takes nothing from output that does not carry this run's marker", async () => {
    // Another run's sections (a replayed or forged capture) are not this run's: nothing ran.
    const { run } = fakeKubectl(
      () => ({ code: 0, stdout: seedScriptOutput({}, "f".repeat(32)), stderr: "" }),
      { code: 0, stdout: nodesJson, stderr: "" },
    );
    await expect(runChecks(seedPlan, run, stamp)).rejects.toThrow(/ran no probe/);
  });

  it("names the pod that has the nginx pod's IP when another server answered there", async () => {
    const stranger = "0a0b0c0d-1111-4222-8333-444455556666";
    const { run, calls } = fakeKubectl(
      (nonce) => ({
        code: 0,
        stdout: seedScriptOutput({ "pod-ip-identity": { rc: 0, output: stranger } }, nonce),
        stderr: "",
      }),
      { code: 0, stdout: nodesJson, stderr: "" },
      slicesOk,
      {
        code: 0,
        stdout: JSON.stringify({
          items: [{ kind: "Pod", metadata: { namespace: "other", name: "web-7", uid: stranger } }],
        }),
        stderr: "",
      },
    );
    const verification = await runChecks(seedPlan, run, stamp);
    const podIp = verification.checks.find((c) => c.name === "pod-ip-http");
    expect(podIp?.ok).toBe(false);
    expect(podIp?.detail).toContain(`answered by pod uid ${stranger}, not nginx-server`);
    expect(podIp?.detail).toContain(`10.42.0.7 belongs to pod other/web-7 (uid ${stranger})`);
    expect(calls.find((c) => c.includes("-A"))).toEqual([
      "get",
      "pods",
      "-A",
      "--field-selector",
      "status.podIP=10.42.0.7",
      "-o",
      "json",
    ]);
    expect(verification.diagnosis?.layer).toBe("server");
    expect(verification.diagnosis?.summary).toContain("not the lab's nginx pod");
  });

  it("turns an unreadable node list into a failed pod-cidr check, not a crash", async () => {
    const { run } = fakeKubectl(healthy, { code: 1, stdout: "", stderr: "nodes is forbidden" });
    const verification = await runChecks(seedPlan, run, stamp);
    expect(verification.failed).toBe(1);
    expect(verification.checks.find((c) => c.name === "pod-cidr")?.detail).toContain(
      "nodes is forbidden",
    );
  });

  it("blames the API, not the network, when exec ran nothing", async () => {
    const { run } = fakeKubectl(
      {
        code: 1,
        stdout: "",
        stderr: 'Error from server (NotFound): pods "busybox-client" not found',
      },
      { code: 0, stdout: nodesJson, stderr: "" },
    );
    await expect(runChecks(seedPlan, run, stamp)).rejects.toThrow(CheckRunError);
    await expect(runChecks(seedPlan, run, stamp)).rejects.toThrow(
      /not the network.*busybox-client" not found/,
    );
  });

  it("gives the client's exec the script's own deadline and room to start, not every probe's tries end to end", async () => {
    const budgets: number[] = [];
    const run = async (args: readonly string[], timeoutMs: number) => {
      if (args.includes("exec")) {
        budgets.push(timeoutMs);
        return healthy(nonceOf(args[args.length - 1]));
      }
      return args.includes(LAB_KINDS) ? slicesOk : { code: 0, stdout: nodesJson, stderr: "" };
    };
    await runChecks(seedPlan, run, stamp);
    expect(budgets).toEqual([(podScriptDeadlineSeconds(seedPlan) + 5 + 30) * 1000]);
    // With the default 5 s timeout: under two minutes (eleven probes' tries end to end were 281 s).
    expect(budgets[0]).toBeLessThan(120_000);
    // And the script the exec carries stops itself at that deadline.
    expect(buildScript(clientScript(seedPlan, TEST_NONCE))).toContain(
      `watch ${podScriptDeadlineSeconds(seedPlan)}`,
    );
  });

  it("diagnoses a run whose Service is broken", async () => {
    const refused = { rc: 1, output: fixture("busybox/wget-refused.txt") };
    const output = (nonce: string) =>
      seedScriptOutput(
        {
          "service-dns-http": refused,
          "service-fqdn-http": refused,
          "service-clusterip-http": refused,
        },
        nonce,
      );
    const { run } = fakeKubectl((nonce) => ({ code: 0, stdout: output(nonce), stderr: "" }), {
      code: 0,
      stdout: nodesJson,
      stderr: "",
    });
    const verification = await runChecks(seedPlan, run, stamp);
    expect(verification.diagnosis?.layer).toBe("service");
  });
});

describe("kubectlError", () => {
  it("drops the URL-encoded script an exec error repeats, and bounds the rest", () => {
    const stderr =
      'error: error sending request: Post "https://192.168.240.2:10250/exec/ns/pod/c?command=sh&command=-c&command=nonce%3Dabc%0A&error=1&output=1": EOF\n';
    expect(kubectlError(stderr)).toBe(
      'error: error sending request: Post "https://192.168.240.2:10250/exec/ns/pod/c?…": EOF',
    );
    expect(kubectlError("x".repeat(1000))).toHaveLength(601);
    expect(kubectlError("")).toBe("no error output");
  });
});

describe("when the runner's kubectl calls start", () => {
  const policyPlan: CheckPlan = {
    ...seedPlan,
    policy: { strangerPod: "stranger-client", strangerContainer: "busybox", denyBoundSeconds: 2 },
  };

  /**
   * A kubectl whose client exec ends only when `endClientExec` is called; it records each call's
   * kind in the order the calls start, with the client's end marked.
   */
  function gatedKubectl() {
    const started: string[] = [];
    let endClientExec = () => {};
    const clientExecEnded = new Promise<void>((resolve) => (endClientExec = resolve));
    const run = async (args: readonly string[]): Promise<KubectlResult> => {
      const kind = args.includes("exec") ? `exec ${args[args.indexOf("-n") + 2]}` : args[0];
      started.push(kind === "get" ? `get ${args[1]}` : kind);
      if (kind === "exec busybox-client") {
        await clientExecEnded;
        started.push("client exec ended");
        return healthy(nonceOf(args[args.length - 1]));
      }
      if (kind === "exec stranger-client") {
        return { code: 0, stdout: strangerRefused(nonceOf(args[args.length - 1])), stderr: "" };
      }
      if (args[0] === "logs") {
        return { code: 0, stdout: "", stderr: "" };
      }
      return args[1] === LAB_KINDS || args[1] === ISOLATED_LAB_KINDS
        ? slicesOk
        : args[1] === "nodes"
          ? { code: 0, stdout: nodesJson, stderr: "" }
          : { code: 0, stdout: '{"items":[]}', stderr: "" };
    };
    return { started, run, endClientExec: () => endClientExec() };
  }

  /** What the stranger prints when both its requests were refused and its DNS lookup answered. */
  function strangerRefused(nonce: string): string {
    return scriptOutput(
      {
        "stranger-pod-ip": { rc: 143, output: "", ms: 2001 },
        "stranger-service": { rc: 143, output: "", ms: 2001 },
        "stranger-dns": { rc: 0, output: fixture("busybox/nslookup-ok.txt") },
        "stranger-api": { rc: 1, output: "  HTTP/1.0 400 Bad Request\n  " },
      },
      nonce,
    );
  }

  const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

  it("with a stranger, starts its exec first and the API reads only once the client's exec has ended", async () => {
    const { started, run, endClientExec } = gatedKubectl();
    const verdict = runChecks(policyPlan, run, stamp);
    await tick();
    expect(started).toEqual(["exec stranger-client", "exec busybox-client"]);
    endClientExec();
    await verdict;
    const ended = started.indexOf("client exec ended");
    expect(started.slice(ended + 1, ended + 3)).toEqual(["get nodes", `get ${ISOLATED_LAB_KINDS}`]);
  });

  it("with a stranger still waiting out its refusals, the API reads do not wait for it", async () => {
    const { started, run: gated, endClientExec } = gatedKubectl();
    let endStrangerExec = () => {};
    const strangerExecEnded = new Promise<void>((resolve) => (endStrangerExec = resolve));
    const run = async (args: readonly string[]): Promise<KubectlResult> => {
      if (args.includes("stranger-client") && args.includes("exec")) {
        started.push("exec stranger-client");
        await strangerExecEnded;
        started.push("stranger exec ended");
        return { code: 0, stdout: strangerRefused(nonceOf(args[args.length - 1])), stderr: "" };
      }
      return gated(args);
    };
    const verdict = runChecks(policyPlan, run, stamp);
    await tick();
    endClientExec();
    await tick();
    expect(started).toEqual([
      "exec stranger-client",
      "exec busybox-client",
      "client exec ended",
      "get nodes",
      `get ${ISOLATED_LAB_KINDS}`,
    ]);
    endStrangerExec();
    await verdict;
    expect(started.slice(5, 7)).toEqual(["stranger exec ended", "logs"]);
  });

  it("without a stranger, starts the API reads alongside the client's exec", async () => {
    const { started, run, endClientExec } = gatedKubectl();
    const verdict = runChecks(seedPlan, run, stamp);
    await tick();
    expect(started).toEqual(["exec busybox-client", "get nodes", `get ${LAB_KINDS}`]);
    endClientExec();
    await verdict;
  });
});
