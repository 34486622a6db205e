import * as fs from "node:fs";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl as kubectlRun } from "../../checks/probe/kubectl";
import { runPlan } from "../../checks/runPlan";
import { KubectlRunner } from "../../checks/probe/exec";
import { MESH_CHECK_NAMES, Verification } from "../../checks/contract/types";
import { meshPlanOf } from "../../components/meshPlan";
import { MESH_NODE_PORT } from "../../components/nodeMesh";
import { LAYOUT_KINDS } from "../../checks/scenarios/mesh/layout";
import { DEFAULTS } from "../../config";
import { harness, Harness, recorder, uniqueStack, useLocalImages } from "../../tools/lib/engine";
import { PROJECT_DIR, run } from "./cli";

/**
 * Every node, every path (`coverage: every-node`), with the real engine on the local k3s (two
 * nodes, or three after `cluster.sh up --nodes 3`): every path passes; a broken overlay on one
 * node fails exactly that node's cross-node paths, diagnosed `cross-node`; an MTU black hole on
 * one node's link is diagnosed `mtu`, naming the links. The faults are made and mended by
 * local-cluster/cluster.sh; scripts/test.sh runs this file after the nodes suite (the cluster is
 * its own then; by hand, hold the cluster lock exclusively). The echo servers' own logs witness
 * every HTTP pass, and fail an impersonator at one echo server's address that the clients alone
 * would pass. POD_TO_POD_TEST_NAMESPACE names the lab's namespace, for runs beside another's.
 */
const namespace = process.env.POD_TO_POD_TEST_NAMESPACE ?? "p2p-mesh-engine";
let engine: Harness;
let stack: Stack;
let nodes: string[];

function kubectl(...args: string[]) {
  return run("kubectl", args, { KUBECONFIG: engine.env.KUBECONFIG }, 120_000);
}

function cluster(...args: string[]) {
  const result = run(
    "bash",
    [path.join(PROJECT_DIR, "local-cluster/cluster.sh"), ...args],
    {},
    120_000,
  );
  expect(result.code, `cluster.sh ${args.join(" ")}: ${result.stderr}`).toBe(0);
}

async function verification(): Promise<Verification> {
  return (await stack.outputs()).verification.value as Verification;
}

/** The mesh's pods of one kind as the API has them. */
function podsOf(selector: string): Array<{ name: string; node: string; ip: string; uid: string }> {
  const list = JSON.parse(
    kubectl("get", "pods", "-n", namespace, "-l", selector, "-o", "json").stdout,
  ) as {
    items: Array<{
      metadata: { name: string; uid: string };
      spec: { nodeName: string };
      status: { podIP: string };
    }>;
  };
  return list.items.map((p) => ({
    name: p.metadata.name,
    node: p.spec.nodeName,
    ip: p.status.podIP,
    uid: p.metadata.uid,
  }));
}

/** The mesh's plan as the lab's program writes it for this stack (the runner run by hand). */
function labMeshPlan(settings: typeof DEFAULTS.mesh) {
  return meshPlanOf({
    namespace,
    servicePort: 80,
    echoPort: 80,
    clusterDomain: "cluster.local",
    timeoutSeconds: 5,
    settings,
  });
}

/** kubectl on the test's cluster, as the runner calls it. */
function clusterKubectl(): KubectlRunner {
  const env = { ...process.env, KUBECONFIG: engine.env.KUBECONFIG };
  return (args, timeoutMs, lines) => kubectlRun(args, timeoutMs, env, undefined, { lines });
}

/** Objects applied to the test's cluster, as one List. */
function apply(...items: object[]): void {
  const applied = run(
    "kubectl",
    ["apply", "-f", "-"],
    { KUBECONFIG: engine.env.KUBECONFIG },
    60_000,
    JSON.stringify({ kind: "List", apiVersion: "v1", items }),
  );
  expect(applied.code, applied.stderr).toBe(0);
}

function check(v: Verification, name: string) {
  return v.checks.find((c) => c.name === name);
}

/** The node cluster.sh calls node K (node 1 is the server, the others p2p-node<K>). */
function nodeNumbered(k: number): string {
  return k === 1 ? nodes.find((n) => !/^p2p-node\d$/.test(n))! : `p2p-node${k}`;
}

beforeAll(async () => {
  expect(process.env.KUBECONFIG, "scripts/test.sh sets KUBECONFIG").toBeTruthy();
  engine = await harness(process.env.KUBECONFIG!);
  nodes = kubectl("get", "nodes", "-o", "jsonpath={.items[*].metadata.name}")
    .stdout.trim()
    .split(/\s+/)
    .sort();
  expect(nodes.length, "the local cluster runs two nodes or more").toBeGreaterThanOrEqual(2);
  stack = await engine.stack(uniqueStack("mesh"));
  await useLocalImages(stack, true);
  await stack.setAllConfig({
    "pod-to-pod:namespace": { value: namespace },
    "pod-to-pod:coverage": { value: "every-node" },
  });
});

afterAll(async () => {
  run("bash", [path.join(PROJECT_DIR, "local-cluster/cluster.sh"), "mend-cross-node"], {}, 60_000);
  run("bash", [path.join(PROJECT_DIR, "local-cluster/cluster.sh"), "mend-mtu"], {}, 60_000);
  await stack?.destroy().catch(() => undefined);
  await stack?.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
  engine?.close();
});

describe("every node, every path, with the real engine", () => {
  it("previews with the policy pack: no mandatory finding, the three exemptions shown", async () => {
    const events = recorder();
    await stack.preview({
      policyPacks: [path.join(PROJECT_DIR, "policy")],
      onEvent: events.onEvent,
    });
    expect(events.policies.filter((p) => p.enforcementLevel === "mandatory")).toEqual([]);
    const shown = events.policies.filter((p) => p.policyName === "pod-security-exemptions");
    expect(shown.map((p) => p.message.split(" may ")[0]).sort()).toEqual([
      "DaemonSet mesh-client (pod template), container busybox",
      "DaemonSet mesh-node-probe (pod template), container probe",
      "Pod busybox-client, container busybox",
    ]);
  });

  it("covers every node: every pod path, the Service, DNS and node to pod pass", async () => {
    await stack.up();
    const v = await verification();
    expect(v.failed, JSON.stringify(v.checks, null, 1)).toBe(0);
    expect(v.checks.filter((c) => c.name.startsWith("mesh-")).map((c) => c.name)).toEqual([
      ...MESH_CHECK_NAMES,
    ]);
    const mesh = v.mesh!;
    expect(mesh.nodes).toEqual(nodes);
    // The server's side: every pod path, node path and Service fetch logged by the echo server
    // meant, from the sender's own address (a client's pod IP, a node's own address).
    const n = nodes.length;
    expect(mesh.serverWitness).toEqual({
      witnessed: n * n + n * (n - 1) + n,
      clientsWordAlone: 0,
      notServed: 0,
      unreadable: [],
    });
    expect(check(v, "mesh-pod-to-pod")?.detail).toContain(
      `the echo servers' own logs witness ${n * n} of ${n * n} HTTP passes`,
    );
    expect(mesh.counts).toEqual({
      nodes: nodes.length,
      podPaths: nodes.length ** 2,
      podPathsFailed: 0,
      nodePaths: nodes.length * (nodes.length - 1),
      nodePathsFailed: 0,
    });
    // Every cell passed, with its time; the node's own column of the node matrix is not a path.
    for (const row of mesh.matrix) {
      expect(row).toMatch(new RegExp(`^P\\d+( P\\d+){${nodes.length - 1}}$`));
    }
    expect(mesh.nodeMatrix[0]).toMatch(/^\. P\d+/);
    // The links the node probes read: flannel.1 at the pods' MTU on every node.
    for (const node of nodes) {
      expect(mesh.links[node]).toMatch(/node link \S+ mtu 1500.*flannel\.1 mtu 1450/);
    }
    const report = (await stack.outputs()).report.value as string;
    expect(report).toContain("%% pod-to-pod mesh");
    expect(report).toMatch(/pod to pod 4\/4 paths pass|pod to pod 9\/9 paths pass/);
    // What the runner read, read here too: each echo server logged each client's identity fetch
    // of this run, from that client's own pod IP.
    const clients = podsOf("app=mesh-client");
    for (const echo of podsOf("app=mesh-echo")) {
      const log = kubectl("logs", "-n", namespace, echo.name).stdout;
      for (const client of clients) {
        const probe = encodeURIComponent(`pod/${client.node}->${echo.node}`);
        const lines = log.split("\n").filter((line) => line.includes(`&probe=${probe}"`));
        expect(lines.length, `${echo.name} logged ${probe}`).toBeGreaterThan(0);
        expect(JSON.parse(lines.at(-1)!).remote).toBe(client.ip);
      }
    }
    // The walkthrough's objects are there as they were, beside the mesh.
    expect(
      kubectl("get", "pods,services,daemonsets,networkpolicies", "-n", namespace, "-o", "name")
        .stdout,
    ).toMatch(
      /pod\/nginx-server[\s\S]*daemonset.apps\/mesh-echo[\s\S]*networkpolicy.networking.k8s.io\/mesh-echo-allow/,
    );
  });

  it("a reporter may file its own pod's report and nothing else: another pod's, a plan, an update or a delete are refused", () => {
    // The run's plan and reports are gone with the run, and the run's own ConfigMap with them.
    expect(
      kubectl("get", "configmaps", "-n", namespace, "-l", "pod-to-pod.dev/run", "-o", "name")
        .stdout,
    ).toBe("");
    expect(
      kubectl("get", "configmaps", "-n", namespace, "-o", "name")
        .stdout.split("\n")
        .filter((name) => name.startsWith("configmap/p2p-")),
    ).toEqual([]);
    const [mine, other] = podsOf("app=mesh-client");
    const run = "0123456789abcdef";
    // From inside a client's reporter: its own token, its own kubectl.
    const reporter = (script: string) =>
      kubectl("exec", "-n", namespace, mine.name, "-c", "reporter", "--", "bash", "-c", script);
    const create = (name: string, labels: Record<string, string>) =>
      reporter(
        `kubectl create configmap ${name} --from-literal=output=x --dry-run=client -o json | jq -c '.metadata.labels = ${JSON.stringify(labels)}' | kubectl create -f -`,
      );
    const refusal = `ValidatingAdmissionPolicy 'pod-to-pod-reports.${namespace}' with binding 'pod-to-pod-reports.${namespace}' denied request: the mesh's reporter may create only its own pod's report`;
    const attempts = {
      "another pod's report, with its UID": create(`p2p-report.${run}.${other.name}`, {
        "pod-to-pod.dev/run": run,
        "pod-to-pod.dev/pod-uid": other.uid,
      }),
      "its own name, another pod's UID": create(`p2p-report.${run}.${mine.name}`, {
        "pod-to-pod.dev/run": run,
        "pod-to-pod.dev/pod-uid": other.uid,
      }),
      "a plan": create(`p2p-report.${run}.${mine.name}`, {
        "pod-to-pod.dev/run": run,
        "pod-to-pod.dev/pod-uid": mine.uid,
        "pod-to-pod.dev/plan": "true",
      }),
    };
    for (const [what, result] of Object.entries(attempts)) {
      expect(result.code, what).not.toBe(0);
      expect(result.stderr, what).toContain(refusal);
    }
    const own = create(`p2p-report.${run}.${mine.name}`, {
      "pod-to-pod.dev/run": run,
      "pod-to-pod.dev/pod-uid": mine.uid,
    });
    expect(own.code, own.stderr).toBe(0);
    try {
      for (const verb of [
        `kubectl label configmap p2p-report.${run}.${mine.name} x=y`,
        `kubectl delete configmap p2p-report.${run}.${mine.name}`,
        `kubectl delete configmap mesh-rotation`,
      ]) {
        const result = reporter(verb);
        expect(result.code, verb).not.toBe(0);
        expect(result.stderr, verb).toMatch(
          new RegExp(
            `User "system:serviceaccount:${namespace}:mesh-reporter" cannot (patch|delete) resource "configmaps"`,
          ),
        );
      }
      // The probers hold no token at all: only the reporter does.
      const prober = kubectl(
        "exec",
        "-n",
        namespace,
        mine.name,
        "-c",
        "busybox",
        "--",
        "ls",
        "/var/run/secrets/kubernetes.io/serviceaccount",
      );
      expect(prober.code).not.toBe(0);
    } finally {
      kubectl("delete", "configmap", "-n", namespace, `p2p-report.${run}.${mine.name}`);
    }
  });

  /** Every path to `victim`, the clients' (N) and the other nodes' (N - 1), as failures list them. */
  function everyPathTo(victim: string, outcome: string): string[] {
    return [
      ...nodes.map((from) => `${from} → ${victim} ${outcome}`),
      ...nodes.filter((n) => n !== victim).map((from) => `${from} → ${victim} ${outcome}`),
    ].sort();
  }

  /**
   * A pod on `victim`'s node running `command` (busybox), let in by a policy of its own, that the
   * runner is told is `victim`'s echo server (as with a reused IP): `body` gets that runner.
   */
  async function withFakeEcho(
    victim: string,
    command: string,
    body: (told: KubectlRunner) => Promise<void>,
  ) {
    const state = process.env.POD_TO_POD_STATE ?? "/var/lib/pod-to-pod";
    const images = JSON.parse(fs.readFileSync(`${state}/images.json`, "utf8")) as Record<
      string,
      string
    >;
    const labels = { app: "mesh-impostor" };
    const impostor = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "mesh-impostor", namespace, labels },
      spec: {
        nodeName: victim,
        terminationGracePeriodSeconds: 0,
        containers: [
          {
            name: "web",
            image: images.busybox,
            imagePullPolicy: "Never",
            command: ["sh", "-c", command],
          },
        ],
      },
    };
    const allowAll = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "mesh-impostor-allow", namespace },
      spec: { podSelector: { matchLabels: labels }, policyTypes: ["Ingress"], ingress: [{}] },
    };
    apply(impostor, allowAll);
    try {
      const ready = kubectl(
        "wait",
        "-n",
        namespace,
        "--for=condition=Ready",
        "pod/mesh-impostor",
        "--timeout=60s",
      );
      expect(ready.code, ready.stderr).toBe(0);
      const ip = kubectl(
        "get",
        "pod",
        "-n",
        namespace,
        "mesh-impostor",
        "-o",
        "jsonpath={.status.podIP}",
      ).stdout.trim();
      const real = clusterKubectl();
      const told: KubectlRunner = async (args, timeoutMs, lines) => {
        const result = await real(args, timeoutMs, lines);
        if (!args.includes(LAYOUT_KINDS)) {
          return result;
        }
        const list = JSON.parse(result.stdout) as {
          items: Array<{
            kind: string;
            metadata: { labels?: Record<string, string> };
            spec: { nodeName?: string };
            status?: { podIP?: string };
          }>;
        };
        list.items
          .filter((p) => p.kind === "Pod" && p.metadata.labels?.app === "mesh-echo")
          .filter((p) => p.spec.nodeName === victim)
          .forEach((p) => (p.status = { ...p.status, podIP: ip }));
        return { ...result, stdout: JSON.stringify(list) };
      };
      await body(told);
    } finally {
      kubectl(
        "delete",
        "pod,networkpolicy",
        "-n",
        namespace,
        "mesh-impostor",
        "mesh-impostor-allow",
        "--wait=true",
      );
    }
  }

  it("an impersonator at one echo server's address, claiming its UID: the clients pass it, the server's log fails it", async () => {
    // busybox httpd on the victim's node serving the victim echo server's UID and 64 KiB on both
    // ports. Only the victim's own log can tell the lie.
    const victim = nodeNumbered(2);
    const echo = podsOf("app=mesh-echo").find((p) => p.node === victim)!;
    const serve = `mkdir -p /www/pod-to-pod && echo ${echo.uid} > /www/pod-to-pod/identity && head -c 70000 /dev/zero > /www/pod-to-pod/large && httpd -p ${MESH_NODE_PORT} -h /www && exec httpd -f -p 80 -h /www`;
    await withFakeEcho(victim, serve, async (told) => {
      const verification = await runPlan({ mesh: labMeshPlan(DEFAULTS.mesh) }, told, {
        runnerVersion: "test",
      });
      const outcome = { ...verification, report: verification.mesh! };
      const unserved = outcome.report.failures;
      console.log(`impersonator at ${victim}'s echo server: ${outcome.diagnosis?.summary}`);
      expect(unserved.map((f) => `${f.from} → ${f.to} ${f.outcome}`).sort()).toEqual(
        everyPathTo(victim, "unserved"),
      );
      const fromOther = unserved.find((f) => f.from !== victim && !f.detail.startsWith("node"))!;
      // The identity alone passes it: the impersonator answers with the victim's UID.
      expect(fromOther.detail).toContain(
        `http: answered by ${echo.name} (uid ${echo.uid.split("-")[0]})`,
      );
      expect(fromOther.detail).toContain(
        `but ${victim}'s echo server (${echo.name}) never logged this request: the answer came from elsewhere`,
      );
      expect(outcome.diagnosis?.layer).toBe("server");
      expect(outcome.checks.find((c) => c.name === "mesh-pod-to-pod")?.ok).toBe(false);
      // The rest is witnessed as before, from the senders' own addresses.
      const n = nodes.length;
      expect(outcome.report.serverWitness).toMatchObject({
        notServed: n + (n - 1),
        witnessed: n * (n - 1) + (n - 1) * (n - 1) + n,
        clientsWordAlone: 0,
      });
    });
  });

  /**
   * The mesh run by the runner told `told`, then what something else answering at `victim`'s echo
   * server address must leave: every path to it unserved with `evidence` in its words, the other
   * paths, the Service and DNS passing, and the server named.
   */
  async function expectServerSideAt(
    victim: string,
    told: KubectlRunner,
    evidence: string,
  ): Promise<void> {
    const verification = await runPlan({ mesh: labMeshPlan(DEFAULTS.mesh) }, told, {
      runnerVersion: "test",
    });
    const report = verification.mesh!;
    console.log(`at ${victim}'s echo server: ${verification.diagnosis?.summary}`);
    expect(report.failures.map((f) => `${f.from} → ${f.to} ${f.outcome}`).sort()).toEqual(
      everyPathTo(victim, "unserved"),
    );
    for (const failure of report.failures) {
      expect(failure.detail).toContain(evidence);
    }
    expect(verification.checks.filter((c) => c.ok).map((c) => c.name)).toEqual([
      "mesh-coverage",
      "mesh-path-mtu",
      "mesh-service",
      "mesh-dns",
    ]);
    expect(verification.diagnosis?.layer).toBe("server");
  }

  it("a redirect at one echo server's address to that echo server: every path to it unserved, naming the Location", async () => {
    // busybox wget follows redirects: unseen, each path would be served by the real echo server.
    const victim = nodeNumbered(2);
    const echo = podsOf("app=mesh-echo").find((p) => p.node === victim)!;
    const redirect = [
      "cat > /tmp/redirect <<'EOF'",
      "#!/bin/sh",
      "read -r method uri rest",
      `printf 'HTTP/1.0 302 Found\\r\\nLocation: http://${echo.ip}:80%s\\r\\nContent-Length: 0\\r\\n\\r\\n' "$uri"`,
      "EOF",
      "chmod +x /tmp/redirect",
      `nc -ll -p ${MESH_NODE_PORT} -e /tmp/redirect &`,
      "exec nc -ll -p 80 -e /tmp/redirect",
    ].join("\n");
    await withFakeEcho(victim, redirect, (told) =>
      expectServerSideAt(
        victim,
        told,
        `answered 302, a redirect to http://${echo.ip}:80/pod-to-pod/identity?`,
      ),
    );
  });

  it("an endless body at one echo server's address: every path to it unserved on the size, no prober is killed, the rest pass", async () => {
    // Every connection, on both ports, answered with a page that never ends.
    const victim = nodeNumbered(2);
    const flood = [
      `printf '#!/bin/sh\\nread -r line\\nprintf "HTTP/1.0 200 OK\\\\r\\\\n\\\\r\\\\n"\\nexec yes Welcome\\n' > /tmp/flood`,
      "chmod +x /tmp/flood",
      `{ nc -ll -p ${MESH_NODE_PORT} -e /tmp/flood & }`,
      "exec nc -ll -p 80 -e /tmp/flood",
    ].join(" && ");
    const restarts = () =>
      kubectl(
        "get",
        "pods",
        "-n",
        namespace,
        "-l",
        "app in (mesh-client,mesh-node-probe)",
        "-o",
        "jsonpath={range .items[*]}{.metadata.name}={.status.containerStatuses[0].restartCount} {end}",
      ).stdout.trim();
    await withFakeEcho(victim, flood, async (told) => {
      const before = restarts();
      await expectServerSideAt(victim, told, "sent more than 256 KiB, cut there");
      expect(restarts(), "no mesh client or node probe was OOM-killed").toBe(before);
    });
  });

  it("a decoy client carrying the mesh's labels beside a cut-off client: the runner probes the DaemonSet's own pod, and names the decoy", async () => {
    // The victim node's own mesh client loses all egress (a policy selecting it by a label put on
    // it alone); beside it stands a decoy: the client DaemonSet's pod template as a bare pod on
    // that node, owned by a ConfigMap (so the DaemonSet never adopts it), named to be listed first.
    // A runner that takes any pod with the clients' labels probes the decoy and passes.
    const victim = nodeNumbered(2);
    const own = podsOf("app=mesh-client").find((p) => p.node === victim)!;
    const template = (
      JSON.parse(
        kubectl("get", "daemonset", "-n", namespace, "mesh-client", "-o", "json").stdout,
      ) as {
        spec: { template: { metadata: { labels: Record<string, string> }; spec: object } };
      }
    ).spec.template;
    apply({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "mesh-decoy-owner", namespace },
    });
    const ownerUid = kubectl(
      "get",
      "configmap",
      "-n",
      namespace,
      "mesh-decoy-owner",
      "-o",
      "jsonpath={.metadata.uid}",
    ).stdout.trim();
    const decoy = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "mesh-client-0",
        namespace,
        labels: template.metadata.labels,
        ownerReferences: [
          {
            apiVersion: "v1",
            kind: "ConfigMap",
            name: "mesh-decoy-owner",
            uid: ownerUid,
            controller: true,
          },
        ],
      },
      spec: { ...template.spec, nodeName: victim },
    };
    const cutOff = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "mesh-decoy-cut-off", namespace },
      spec: {
        podSelector: { matchLabels: { "pod-to-pod-test": "cut-off" } },
        policyTypes: ["Egress"],
        egress: [],
      },
    };
    apply(decoy, cutOff);
    try {
      expect(
        kubectl("label", "pod", "-n", namespace, own.name, "pod-to-pod-test=cut-off").code,
      ).toBe(0);
      const ready = kubectl(
        "wait",
        "-n",
        namespace,
        "--for=condition=Ready",
        "pod/mesh-client-0",
        "--timeout=60s",
      );
      expect(ready.code, ready.stderr).toBe(0);
      const verification = await runPlan({ mesh: labMeshPlan(DEFAULTS.mesh) }, clusterKubectl(), {
        runnerVersion: "test",
      });
      console.log(`decoy client on ${victim}: ${verification.diagnosis?.summary}`);
      const failed = verification.mesh!.failures.filter((f) => !f.detail.startsWith("node to pod"));
      // Every path of the victim's own client fails, and no other.
      expect(failed.map((f) => `${f.from} → ${f.to}`).sort()).toEqual(
        nodes.map((to) => `${victim} → ${to}`).sort(),
      );
      expect(check(verification, "mesh-pod-to-pod")?.ok).toBe(false);
      expect(check(verification, "mesh-coverage")?.detail).toContain(
        `ignored: pod mesh-client-0 on ${victim} carries the mesh clients' labels, but no DaemonSet of the mesh controls it (its controller: ConfigMap mesh-decoy-owner)`,
      );
    } finally {
      kubectl("label", "pod", "-n", namespace, own.name, "pod-to-pod-test-");
      kubectl(
        "delete",
        "-n",
        namespace,
        "pod/mesh-client-0",
        "networkpolicy/mesh-decoy-cut-off",
        "configmap/mesh-decoy-owner",
        "--wait=true",
      );
    }
  });

  it("a broken overlay on one node fails exactly that node's cross-node paths, diagnosed cross-node", async () => {
    await stack.setConfig("pod-to-pod:checks.reportOnly", { value: "true" }, true);
    // A changed setting, so the checks run again (the program's check reports either way since
    // #33: reportOnly alone no longer changes the command) and record failures.
    await stack.setConfig("pod-to-pod:checks.pingCount", { value: "5" }, true);
    const broken = nodes.length > 2 ? 3 : 2;
    const name = nodeNumbered(broken);
    cluster("break-cross-node", "--node", String(broken));
    try {
      await stack.up();
    } finally {
      cluster("mend-cross-node");
    }
    const v = await verification();
    console.log(`cross-node on ${nodes.length} nodes: ${v.diagnosis?.summary}`);
    const failures = v.mesh!.failures.filter((f) => !f.detail.startsWith("node to pod"));
    const expected = nodes
      .filter((n) => n !== name)
      .flatMap((other) => [`${name} → ${other}`, `${other} → ${name}`])
      .sort();
    expect(failures.map((f) => `${f.from} → ${f.to}`).sort()).toEqual(expected);
    expect(failures.every((f) => f.outcome === "fail")).toBe(true);
    expect(v.diagnosis?.layer, JSON.stringify(v.diagnosis)).toBe("cross-node");
    expect(v.diagnosis?.summary).toContain(
      nodes.length > 2 ? `on node ${name}` : `between ${nodes[0]} and ${nodes[1]}`,
    );
    expect(check(v, "mesh-pod-to-pod")?.ok).toBe(false);
    expect(check(v, "mesh-node-to-pod")?.ok).toBe(false);
  });

  it("an MTU black hole on one node's link is diagnosed mtu, naming the links and their MTUs", async () => {
    await stack.setConfig("pod-to-pod:checks.reportOnly", { value: "true" }, true);
    // A changed setting, so the checks run again.
    await stack.setConfig("pod-to-pod:checks.pingCount", { value: "3" }, true);
    cluster("break-mtu", "--node", "2");
    try {
      await stack.up();
    } finally {
      cluster("mend-mtu");
    }
    const v = await verification();
    console.log(`mtu on ${nodes.length} nodes: ${v.diagnosis?.summary}`);
    expect(v.diagnosis?.layer, JSON.stringify(v.diagnosis)).toBe("mtu");
    expect(check(v, "mesh-pod-to-pod")?.ok, "small packets pass").toBe(true);
    expect(check(v, "mesh-path-mtu")?.ok).toBe(false);
    expect(v.diagnosis?.summary).toMatch(/eth0 MTU is 1450/);
    // The host end of node 2's link is the bridge port at 1400: the probe on node 1 reads it.
    expect(v.diagnosis?.summary).toMatch(/p2p-node2 mtu 1400/);
    expect(v.mesh!.failures.every((f) => f.from === "p2p-node2" || f.to === "p2p-node2")).toBe(
      true,
    );
  });

  it("above allPairsUpTo, each run probes its window; consecutive runs cover every pair; the counter never shows in a preview", async () => {
    const counter = () =>
      kubectl("get", "configmap", "-n", namespace, "mesh-rotation", "-o", "jsonpath={.data.run}")
        .stdout;
    const probedPairs = (v: Verification) =>
      v.mesh!.matrix.flatMap((row, i) =>
        row.split(" ").flatMap((cell, j) => (cell === "." ? [] : [`${nodes[i]} → ${nodes[j]}`])),
      );
    await stack.setConfig("pod-to-pod:checks.reportOnly", { value: "false" }, true);
    await stack.setConfig("pod-to-pod:mesh.allPairsUpTo", { value: "1" }, true);
    const before = Number(counter());
    await stack.up();
    const n = nodes.length;
    const first = await verification();
    expect(first.failed, JSON.stringify(first.checks, null, 1)).toBe(0);
    expect(check(first, "mesh-coverage")?.facts).toEqual({
      nodes: n,
      missing: 0,
      ignored: 0,
      run: before,
      firstOffset: before % n,
      offsets: 1,
      runsForEveryPair: n,
    });
    // One echo server per client, and each echo server probed by one client.
    expect(first.mesh!.counts.podPaths).toBe(n);
    expect(new Set(probedPairs(first).map((p) => p.split(" → ")[1]))).toEqual(new Set(nodes));
    expect(counter()).toBe(String(before + 1));
    // The counter the runner moved is the cluster's: the program sees no change of it, even once
    // a refresh has read the moved value into the stack's state.
    await stack.refresh();
    const ops: string[] = [];
    const preview = await stack.preview({
      diff: true,
      onEvent: (event) => {
        const step = event.resourcePreEvent?.metadata;
        if (step?.urn.endsWith("kubernetes:core/v1:ConfigMap::mesh-rotation")) {
          ops.push(step.op);
        }
      },
    });
    expect(ops, preview.stdout).toEqual(["same"]);
    // The runner again, as `npm run verify` and the drift job run it: n runs in all cover every pair.
    const plan = labMeshPlan({ ...DEFAULTS.mesh, allPairsUpTo: 1 });
    const real = clusterKubectl();
    const seen = new Set(probedPairs(first));
    for (let more = 1; more < n; more += 1) {
      const v = await runPlan({ mesh: plan }, real, { runnerVersion: "test" });
      expect(v.failed, JSON.stringify(v.checks, null, 1)).toBe(0);
      probedPairs(v).forEach((pair) => seen.add(pair));
    }
    expect([...seen].sort()).toEqual(
      nodes.flatMap((from) => nodes.map((to) => `${from} → ${to}`)).sort(),
    );
    expect(counter()).toBe(String(before + n));
    // Two runs at once (an up and a drift job's verify) never take the same number.
    const [one, other] = await Promise.all([
      runPlan({ mesh: plan }, real, { runnerVersion: "test" }),
      runPlan({ mesh: plan }, real, { runnerVersion: "test" }),
    ]);
    expect(
      [one, other].map((v) => Number(check(v, "mesh-coverage")?.facts?.run)).sort((a, b) => a - b),
    ).toEqual([before + n, before + n + 1]);
    expect(counter()).toBe(String(before + n + 2));
    // A counter someone set to what is no run number fails the run, naming it; nothing is probed.
    kubectl("patch", "configmap", "-n", namespace, "mesh-rotation", "-p", '{"data":{"run":"x1"}}');
    await expect(runPlan({ mesh: plan }, real, { runnerVersion: "test" })).rejects.toThrow(
      `the mesh's run counter (ConfigMap ${namespace}/mesh-rotation, key run) holds "x1": accepted is a whole number from 0`,
    );
  });
});
