import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cidrContains } from "../../checks/judge/ipv4";
import { CHECK_NAMES, POLICY_CHECK_NAMES } from "../../checks/contract/types";
import { toVerification } from "../../checks/contract/verification";
import { StackOutputs } from "../../scripts/lib/stackOutputs";
import { PROJECT_DIR, run } from "./cli";
import {
  harness,
  Harness,
  UNREACHABLE_KUBECONFIG,
  uniqueStack,
  useLocalImages,
} from "../../tools/lib/engine";

/**
 * The whole life of a stack on the local k3s with the real engine: up, every output checked, a
 * no-change up, a preview from another checkout, refresh, verify, destroy; and a stack in the
 * `default` namespace, which destroy must leave. scripts/test.sh brings the cluster up and sets
 * KUBECONFIG and POD_TO_POD_STATE.
 */
const namespace = "p2p-e2e";
let engine: Harness;
let stack: Stack;
let first: StackOutputs;

async function outputs(): Promise<StackOutputs> {
  const values = await stack.outputs();
  return Object.fromEntries(
    Object.entries(values).map(([key, output]) => [key, output.value]),
  ) as unknown as StackOutputs;
}

function kubectl(args: string[]) {
  return run("kubectl", args, { KUBECONFIG: engine.env.KUBECONFIG }, 60_000);
}

function onlySame(changes: Record<string, number> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(changes ?? {}).filter(([op]) => op !== "same"));
}

beforeAll(async () => {
  const kubeconfig = process.env.KUBECONFIG;
  expect(kubeconfig, "scripts/test.sh sets KUBECONFIG to the local cluster").toBeTruthy();
  engine = await harness(kubeconfig!);
  stack = await engine.stack(uniqueStack("e2e"));
  await useLocalImages(stack);
  await stack.setConfig("pod-to-pod:namespace", { value: namespace });
});

afterAll(async () => {
  // Leave nothing behind even when a step failed.
  await stack?.destroy().catch(() => undefined);
  await stack?.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
  engine?.close();
});

describe("the lab on the local k3s with the real engine", () => {
  it("pulumi up deploys it and every check passes", async () => {
    const result = await stack.up();
    expect(result.summary.result).toBe("succeeded");
    first = await outputs();
    // The output is a verdict of the current schema, every one of the isolated lab's checks passed.
    expect(toVerification(first.verification)).toEqual(first.verification);
    expect(first.verification.checks.map((c) => [c.name, c.ok])).toEqual(
      [...CHECK_NAMES, ...POLICY_CHECK_NAMES].map((name) => [name, true]),
    );
    expect(first.verification.failed, first.report).toBe(0);
  });

  it("exports the namespace, distinct pod IPs in the pod CIDR, the ClusterIP and the nodes", async () => {
    expect(first.namespace).toBe(namespace);
    expect(cidrContains("10.42.0.0/16", first.nginxPodIp)).toBe(true);
    expect(cidrContains("10.42.0.0/16", first.busyboxPodIp)).toBe(true);
    expect(first.nginxPodIp).not.toBe(first.busyboxPodIp);
    expect(cidrContains("10.43.0.0/16", first.serviceClusterIp)).toBe(true);
    const nodes = kubectl(["get", "nodes", "-o", "jsonpath={.items[*].metadata.name}"]);
    expect(nodes.stdout.split(" ")).toContain(first.nginxNode);
    expect(nodes.stdout.split(" ")).toContain(first.busyboxNode);
    const live = kubectl([
      "get",
      "pod",
      "-n",
      namespace,
      "nginx-server",
      "-o",
      "jsonpath={.status.podIP}",
    ]);
    expect(live.stdout).toBe(first.nginxPodIp);
  });

  it("shows the walkthrough's evidence: the nginx page by pod IP and by name, 0% ping loss", () => {
    const check = (name: string) => first.verification.checks.find((c) => c.name === name);
    expect(check("pod-ip-http")?.detail).toContain("Welcome to nginx!");
    expect(check("service-dns-http")?.detail).toContain("Welcome to nginx!");
    // Which pod answered, checked against the stack's own record of the nginx pod.
    expect(first.nginxPodUid).toMatch(/^[0-9a-f-]{36}$/);
    expect(check("pod-ip-http")?.facts?.answeredUid).toBe(first.nginxPodUid);
    expect(check("service-clusterip-http")?.facts?.answeredUid).toBe(first.nginxPodUid);
    expect(Date.parse(first.verification.checkedAt)).toBeGreaterThan(Date.now() - 15 * 60_000);
    expect(first.report.split("\n")[1]).toBe(
      `checked at ${first.verification.checkedAt} by runner ${first.verification.runnerVersion}`,
    );
    expect(check("ping")?.facts).toMatchObject({ lossPercent: 0, received: 4 });
    expect(String(check("pod-interface")?.facts?.address)).toMatch(
      new RegExp(`^${first.busyboxPodIp.replace(/\./g, "\\.")}/`),
    );
  });

  it("a second pulumi up changes nothing and does not re-run the checks", async () => {
    const result = await stack.up();
    expect(onlySame(result.summary.resourceChanges)).toEqual({});
    // The check's timings are in its stored stdout: a re-run would have produced new ones.
    expect((await outputs()).verification).toEqual(first.verification);
  });

  it("a preview from another checkout at another path shows no changes", async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), "p2p-other-checkout-"));
    try {
      for (const entry of fs.readdirSync(PROJECT_DIR)) {
        if (["node_modules", "reports", ".git"].includes(entry)) {
          continue;
        }
        fs.cpSync(path.join(PROJECT_DIR, entry), path.join(other, entry), { recursive: true });
      }
      fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(other, "node_modules"));
      const there = await engine.stack(stack.name, other);
      const result = await there.preview({ expectNoChanges: true, diff: true });
      expect(onlySame(result.changeSummary), result.stdout).toEqual({});
      // A pull request that only edits comments in the check code re-runs nothing.
      const report = path.join(other, "checks", "report", "report.ts");
      fs.writeFileSync(
        report,
        `// A comment a pull request adds.\n${fs.readFileSync(report, "utf8").replace(/\n\n/g, "\n\n\n")}`,
      );
      const commented = await there.preview({ expectNoChanges: true, diff: true });
      expect(onlySame(commented.changeSummary), commented.stdout).toEqual({});
      // While a change in what it does does (the same preview would have failed on it): the check
      // runs again, and the ConfigMap that keeps its verdict (#33) follows it.
      fs.appendFileSync(report, "\nexport const changed = true;\n");
      const changed = await there.preview({ diff: true });
      expect(onlySame(changed.changeSummary), changed.stdout).toEqual({ replace: 2 });
      expect(changed.stdout).toContain("ConnectivityCheck$command:local:Command::connectivity-run");
      expect(changed.stdout).toContain(
        "ConnectivityCheck$kubernetes:core/v1:ConfigMap::connectivity-verdict",
      );
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it("refresh finds no drift", async () => {
    const result = await stack.refresh();
    expect(onlySame(result.summary.resourceChanges), result.stdout).toEqual({});
  });

  it("npm run verify runs up's plan again, every check of it, and passes", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "p2p-verify-")), "v.json");
    const verify = run("npm", ["run", "--silent", "verify"], {
      ...engine.env,
      PULUMI_STACK: stack.name,
      POD_TO_POD_VERIFICATION_FILE: file,
    });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const again = toVerification(JSON.parse(fs.readFileSync(file, "utf8")));
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    // The same checks as `pulumi up`'s, isolation included, in the same order, each passed.
    expect(again.checks.map((c) => [c.name, c.ok])).toEqual(
      first.verification.checks.map((c) => [c.name, true]),
    );
    expect(again.checkedAt > first.verification.checkedAt).toBe(true);
  });

  it("pulumi destroy leaves no pod, Service or namespace of the program", async () => {
    await stack.destroy();
    // In the stack's namespace: other stacks of the program (another checkout's, a developer's)
    // may be running elsewhere in the same cluster.
    const left = kubectl([
      "get",
      "pods,services,networkpolicies,configmaps",
      "-n",
      namespace,
      "-l",
      "app.kubernetes.io/part-of=pod-to-pod",
      "-o",
      "name",
    ]);
    expect(left.code).toBe(0);
    expect(left.stdout.trim()).toBe("");
    const ns = kubectl(["get", "namespace", namespace, "-o", "name"]);
    expect(ns.stdout.trim()).toBe("");
  });

  it("a stack in default with its kubeconfig as a secret in its config: up, verify, destroy, nothing left", async () => {
    // The stack's own kubeconfig, and a KUBECONFIG that leads nowhere: only the stack's can work.
    const nowhere = path.join(engine.dir, "nowhere.yaml");
    fs.writeFileSync(nowhere, UNREACHABLE_KUBECONFIG);
    const env = { ...engine.env, KUBECONFIG: nowhere };
    const inDefault = await LocalWorkspace.createOrSelectStack(
      { stackName: uniqueStack("default-ns"), workDir: PROJECT_DIR },
      { envVars: env, pulumiCommand: engine.command },
    );
    const tempFiles = () =>
      fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith("pod-to-pod-kubeconfig-"));
    const before = tempFiles();
    try {
      await useLocalImages(inDefault);
      await inDefault.setConfig("pod-to-pod:namespace", { value: "default" });
      await inDefault.setConfig("kubernetes:kubeconfig", {
        value: fs.readFileSync(engine.env.KUBECONFIG, "utf8"),
        secret: true,
      });
      await inDefault.up();
      const outputs = await inDefault.outputs();
      const verification = outputs.verification.value as StackOutputs["verification"];
      expect(verification.failed).toBe(0);
      // The verdict stays readable with a secret input on the command, and holds none of it.
      expect(outputs.verification.secret).toBe(false);
      expect(outputs.report.secret).toBe(false);
      const key = /client-key-data: (\S+)/.exec(
        fs.readFileSync(engine.env.KUBECONFIG, "utf8"),
      )?.[1];
      expect(key?.length).toBeGreaterThan(20);
      expect(JSON.stringify(outputs.verification.value)).not.toContain(key!.slice(0, 40));
      expect(String(outputs.report.value)).not.toContain(key!.slice(0, 40));
      const printed = run(
        engine.command.command,
        ["stack", "output", "report", "--stack", inDefault.name],
        env,
      );
      expect(outputs.verification.value.failed).toBe(0);
      expect(printed.stdout.split("\n").slice(0, 2)).toEqual([
        `pod-to-pod network verification (${outputs.verification.value.passed} passed, 0 failed)`,
        `checked at ${outputs.verification.value.checkedAt} by runner ${outputs.verification.value.runnerVersion}`,
      ]);
      // The backend's files hold the kubeconfig only encrypted (an export would decrypt it).
      const stored = fs
        .readdirSync(path.join(engine.dir, "state"), { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => fs.readFileSync(path.join(entry.parentPath, entry.name)).toString("utf8"));
      expect(stored.length).toBeGreaterThan(0);
      expect(stored.join("\n")).not.toContain("client-key-data");

      const verify = run("npm", ["run", "--silent", "verify"], {
        ...env,
        PULUMI_STACK: inDefault.name,
      });
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
      expect(tempFiles()).toEqual(before);

      await inDefault.destroy();
      expect(kubectl(["get", "namespace", "default", "-o", "name"]).stdout.trim()).toBe(
        "namespace/default",
      );
      expect(
        kubectl([
          "get",
          "pods",
          "-n",
          "default",
          "-l",
          "app.kubernetes.io/part-of=pod-to-pod",
          "-o",
          "name",
        ]).stdout.trim(),
      ).toBe("");
    } finally {
      await inDefault.destroy().catch(() => undefined);
      await inDefault.workspace.removeStack(inDefault.name, { force: true }).catch(() => undefined);
    }
  });
});
