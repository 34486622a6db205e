import { describe, expect, it } from "vitest";
import { mapBounded } from "../../checks/boundedPool";
import { meshFromEnvironment, meshToEnvironment } from "../../checks/meshEnvironment";
import { meshExecBudgetMs, runMesh, withMesh } from "../../checks/meshRun";
import { KubectlRunner } from "../../checks/runChecks";
import { Verification } from "../../checks/types";
import { clientSections, echoUid, meshPlan, nodeSections } from "./meshFixtures";
import { Section } from "../../checks/podScript";

/** The lines a script prints for these sections, with the nonce it was given. */
function printed(nonce: string, sections: Map<string, Section>): string {
  return (
    [...sections]
      .map(
        ([name, s]) =>
          `${nonce} ${name} rc=${s.rc} ms=${s.ms} tries=${s.tries} out=${Buffer.from(s.output).toString("base64")}`,
      )
      .join("\n") + `\n${nonce} end\n`
  );
}

function podList(kind: string, nodes: readonly string[], ready = true) {
  return JSON.stringify({
    items: nodes.map((node, i) => ({
      metadata: {
        name: `${kind}-${node}`,
        uid: kind === "mesh-echo" ? echoUid(i) : `${kind}-${i}`,
      },
      spec: { nodeName: node },
      status: {
        podIP:
          kind === "mesh-node-probe"
            ? `192.168.240.${i + 1}`
            : `10.42.${i}.${kind === "mesh-echo" ? 10 : 11}`,
        conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
      },
    })),
  });
}

/** A fake cluster of `nodes`: the API's answers, and each script's sections, every path passing. */
function fakeCluster(nodes: string[], options: { clientReadyAfter?: number } = {}) {
  let concurrent = 0;
  let most = 0;
  let reads = 0;
  const run: KubectlRunner = async (args) => {
    const verb = args[0];
    if (verb === "get" && args[1] === "nodes") {
      reads += 1;
      return {
        code: 0,
        stderr: "",
        stdout: JSON.stringify({ items: nodes.map((name) => ({ metadata: { name }, spec: {} })) }),
      };
    }
    if (verb === "get" && args[1] === "service") {
      return { code: 0, stderr: "", stdout: "10.43.7.7" };
    }
    if (verb === "get" && args[1] === "pods") {
      const kind = args[5].replace("app=", "");
      const ready = kind !== "mesh-client" || reads > (options.clientReadyAfter ?? 0);
      return { code: 0, stderr: "", stdout: podList(kind, nodes, ready) };
    }
    if (verb === "exec") {
      concurrent += 1;
      most = Math.max(most, concurrent);
      await new Promise((r) => setTimeout(r, 5));
      concurrent -= 1;
      const pod = args[3];
      const script = args.at(-1)!;
      const nonce = /^nonce=([0-9a-f]{32})$/m.exec(script)![1];
      const node = nodes.findIndex((n) => pod.endsWith(`-${n}`));
      const sections = pod.startsWith("mesh-client")
        ? clientSections(nodes.length)
        : nodeSections(nodes.length, node);
      return { code: 0, stderr: "", stdout: printed(nonce, sections) };
    }
    throw new Error(`unexpected kubectl ${args.join(" ")}`);
  };
  return { run, most: () => most };
}

describe("runMesh", () => {
  it("execs into every node's client and probe, no more than `parallelism` at once", async () => {
    const nodes = ["n1", "n2", "n3", "n4", "n5"];
    const cluster = fakeCluster(nodes);
    const outcome = await runMesh({ ...meshPlan, parallelism: 3 }, cluster.run);
    expect(
      outcome.checks.every((c) => c.ok),
      JSON.stringify(outcome.checks),
    ).toBe(true);
    expect(outcome.report.counts.podPaths).toBe(25);
    expect(outcome.report.counts.nodePaths).toBe(20);
    expect(cluster.most()).toBe(3);
  });

  it("waits, bounded, for a node's mesh pods to be Ready before it probes", async () => {
    const cluster = fakeCluster(["n1", "n2"], { clientReadyAfter: 2 });
    let clock = 0;
    const outcome = await runMesh(
      meshPlan,
      cluster.run,
      undefined,
      async (ms) => {
        clock += ms;
      },
      () => clock,
    );
    expect(clock).toBe(2000);
    expect(outcome.checks.find((c) => c.name === "mesh-coverage")?.ok).toBe(true);
    // Never Ready: the wait ends at its bound and the hole is reported.
    clock = 0;
    const never = await runMesh(
      meshPlan,
      fakeCluster(["n1", "n2"], { clientReadyAfter: 1e9 }).run,
      undefined,
      async (ms) => {
        clock += ms;
      },
      () => clock,
    );
    expect(never.checks.find((c) => c.name === "mesh-coverage")?.detail).toMatch(
      /n1: client mesh-client-n1 not Ready; n2: client mesh-client-n2 not Ready/,
    );
  });

  it("gives a script room for its batches of jobs", () => {
    expect(meshExecBudgetMs({ ...meshPlan, timeoutSeconds: 5, parallelism: 8 }, 10)).toBe(
      // Twice the batches; the 30 s of slack and the wait for the Service's name once.
      meshExecBudgetMs({ ...meshPlan, timeoutSeconds: 5, parallelism: 8 }, 5) * 2 - 30_000 - 40_000,
    );
  });
});

describe("withMesh", () => {
  const pair: Verification = {
    checkedAt: "2026-12-01T00:00:00.000Z",
    runnerVersion: "t",
    passed: 1,
    failed: 1,
    checks: [
      { name: "pod-ip-http", ok: true, detail: "", ms: 1 },
      { name: "ping", ok: false, detail: "", ms: 1 },
    ],
    diagnosis: { layer: "cross-node", summary: "pair", evidence: [] },
  };
  const mesh = {
    checks: [{ name: "mesh-pod-to-pod" as const, ok: false, detail: "", ms: 1 }],
    report: {
      nodes: [],
      counts: { nodes: 0, podPaths: 0, podPathsFailed: 0, nodePaths: 0, nodePathsFailed: 0 },
      matrix: [],
      nodeMatrix: [],
      failures: [],
      links: {},
    },
    diagnosis: { layer: "cross-node" as const, summary: "mesh, naming the node", evidence: [] },
  };

  it("counts the mesh's checks with the pair's and prefers the mesh's diagnosis of the network", () => {
    const merged = withMesh(pair, mesh);
    expect([merged.passed, merged.failed]).toEqual([1, 2]);
    expect(merged.checks.map((c) => c.name)).toEqual(["pod-ip-http", "ping", "mesh-pod-to-pod"]);
    expect(merged.diagnosis?.summary).toBe("mesh, naming the node");
    expect(merged.mesh).toBe(mesh.report);
  });

  it("keeps the pair's diagnosis of what only the pair probes (its server, its policies)", () => {
    const server = {
      ...pair,
      diagnosis: { layer: "server" as const, summary: "nginx", evidence: [] },
    };
    expect(withMesh(server, mesh).diagnosis?.summary).toBe("nginx");
  });
});

describe("the mesh's environment", () => {
  it("round-trips a plan, and is absent for a pair lab", () => {
    expect(meshFromEnvironment(meshToEnvironment(meshPlan))).toEqual(meshPlan);
    const noProbes = { ...meshPlan, nodeProbeSelector: undefined };
    delete noProbes.nodeProbeSelector;
    expect(meshFromEnvironment(meshToEnvironment(noProbes))).toEqual(noProbes);
    expect(meshFromEnvironment({ POD_TO_POD_NAMESPACE: "lab" })).toBeUndefined();
  });

  it("names every missing or malformed variable", () => {
    const env = { ...meshToEnvironment(meshPlan), POD_TO_POD_MESH_PARALLELISM: "0" };
    delete (env as Record<string, string>).POD_TO_POD_MESH_SERVICE;
    expect(() => meshFromEnvironment(env)).toThrow(
      /POD_TO_POD_MESH_SERVICE is not set; POD_TO_POD_MESH_PARALLELISM="0" is not a positive whole number/,
    );
  });
});

describe("mapBounded", () => {
  it("keeps the order and never runs more than the bound at once", async () => {
    let running = 0;
    let most = 0;
    const out = await mapBounded([5, 1, 4, 2, 3], 2, async (n) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, n));
      running -= 1;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
    await expect(mapBounded([1], 0, async (n) => n)).rejects.toThrow(/at least 1, got 0/);
  });
});
