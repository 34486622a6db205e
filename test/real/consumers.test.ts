import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECK_NAMES, POLICY_CHECK_NAMES } from "../../checks/contract/types";
import {
  harness,
  Harness,
  PULUMI_ROOT,
  PULUMI_VERSION,
  recorder,
  uniqueStack,
} from "../../tools/lib/engine";
import { PROJECT_DIR, run } from "./cli";

/**
 * The package from other languages, with the real engine on the local k3s: examples/python,
 * examples/yaml and examples/go add it by path (`pulumi install` generates their SDK from
 * Pulumi.yaml's packages), deploy, read the verdict back in their language, pass the policy pack,
 * and destroy leaving nothing. Needs the Python and YAML language hosts beside the CLI and the
 * Python SDK of scripts/python-sdk.sh; the Go program runs where the Go language host is beside the
 * CLI and Go is on PATH, and is named in a NOT RUN line where not. scripts/test.sh brings the
 * cluster up and sets KUBECONFIG.
 */
let engine: Harness;
let env: Record<string, string>;

const EXAMPLES = path.join(PROJECT_DIR, "examples");
// The program's own check lists: a consumer's lab runs exactly the checks the program does.
const CHECKS_OPEN: readonly string[] = CHECK_NAMES;
const CHECKS_ISOLATED: readonly string[] = [...CHECK_NAMES, ...POLICY_CHECK_NAMES];

/**
 * What the Go program needs beyond the engine, one line per missing piece: the Go language host,
 * which the CLI looks for beside itself, and the Go toolchain it builds the program with.
 */
function goMissing(): string[] {
  const missing: string[] = [];
  const host = path.join(PULUMI_ROOT, "bin", "pulumi-language-go");
  if (!fs.existsSync(host)) {
    missing.push(`the Go language host v${PULUMI_VERSION}: ${host} (ships with the CLI)`);
  }
  const onPath = (process.env.PATH ?? "").split(path.delimiter);
  if (!onPath.some((dir) => dir !== "" && fs.existsSync(path.join(dir, "go")))) {
    missing.push("the Go toolchain: go on PATH (go.mod's go version or newer)");
  }
  return missing;
}

const GO_MISSING = goMissing();
if (GO_MISSING.length > 0) {
  // The same line scripts/test.sh prints for a suite it cannot run.
  console.log(
    `NOT RUN: test/real/consumers.test.ts's Go program, examples/go (missing: ${GO_MISSING.join("; ")})`,
  );
}

function kubectl(args: string[]) {
  return run("kubectl", args, { KUBECONFIG: env.KUBECONFIG }, 60_000);
}

/** A consumer's stack: SDK generated, the local cluster's images, a namespace of its own. */
async function consumerStack(
  example: string,
  prefix: string,
  extraEnv: Record<string, string> = {},
): Promise<Stack> {
  const workDir = path.join(EXAMPLES, example);
  // What a user runs after cloning: the SDK from the packages entry, the requirements installed.
  const installed = run("pulumi", ["install", "--cwd", workDir], env);
  expect(installed.code, installed.stdout + installed.stderr).toBe(0);
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: uniqueStack(prefix), workDir },
    { envVars: { ...env, ...extraEnv }, pulumiCommand: engine.command },
  );
  const state = process.env.POD_TO_POD_STATE ?? "/var/lib/pod-to-pod";
  const images = JSON.parse(fs.readFileSync(`${state}/images.json`, "utf8")) as Record<
    string,
    string
  >;
  await stack.setAllConfig({
    namespace: { value: `${prefix}-${Date.now().toString(36)}` },
    nginxImage: { value: images.nginx },
    busyboxImage: { value: images.busybox },
    imagePullPolicy: { value: "Never" },
  });
  return stack;
}

async function removeStack(stack: Stack | undefined): Promise<void> {
  if (!stack) {
    return;
  }
  await stack.destroy().catch(() => undefined);
  await stack.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
  fs.rmSync(path.join(stack.workspace.workDir, `Pulumi.${stack.name}.yaml`), { force: true });
}

async function outputsOf(stack: Stack): Promise<Record<string, unknown>> {
  const values = await stack.outputs();
  return Object.fromEntries(Object.entries(values).map(([key, output]) => [key, output.value]));
}

/** The resources the stack's state holds. */
async function resourcesOf(
  stack: Stack,
): Promise<Array<{ type: string; inputs?: { create?: string } }>> {
  const state = (await stack.exportStack()).deployment as {
    resources?: Array<{ type: string; inputs?: { create?: string } }>;
  };
  return state.resources ?? [];
}

/** The command each lab's check runs, as the state records it. */
async function checkCommandsOf(stack: Stack): Promise<Array<string | undefined>> {
  return (await resourcesOf(stack))
    .filter((r) => r.type === "command:local:Command")
    .map((r) => r.inputs?.create);
}

/**
 * The namespace's pods, Services, NetworkPolicies and Jobs, by kind/name; an image check's pod as
 * `<job>-*` (the Job controller names it with a random suffix).
 */
function objectsIn(namespace: string): string[] {
  const listed = kubectl([
    "get",
    "pods,services,networkpolicies,jobs",
    "-n",
    namespace,
    "-o",
    "jsonpath={range .items[*]}{.kind}/{.metadata.name}{'\\n'}{end}",
  ]);
  expect(listed.code, listed.stderr).toBe(0);
  return listed.stdout
    .split("\n")
    .filter(Boolean)
    .map((object) => object.replace(/^(Pod\/.+-image-check)-[a-z0-9]{5}$/, "$1-*"))
    .sort();
}

function namespaceGone(namespace: string): boolean {
  const got = kubectl(["get", "namespace", namespace, "--ignore-not-found", "-o", "name"]);
  return got.code === 0 && got.stdout.trim() === "";
}

beforeAll(async () => {
  const kubeconfig = process.env.KUBECONFIG;
  expect(kubeconfig, "scripts/test.sh sets KUBECONFIG to the local cluster").toBeTruthy();
  engine = await harness(kubeconfig!);
  // The Python SDK's virtualenv comes first on PATH: the language host runs its python3.
  const venv = run("bash", [path.join(PROJECT_DIR, "scripts", "python-sdk.sh"), "--check"]);
  expect(venv.code, `the Python SDK (bash scripts/python-sdk.sh): ${venv.stderr}`).toBe(0);
  env = { ...engine.env, PATH: `${path.join(venv.stdout.trim(), "bin")}:${engine.env.PATH}` };
});

afterAll(() => engine?.close());

describe("a Python program with two labs side by side in one namespace", () => {
  let stack: Stack;
  let namespace: string;
  let outputs: Record<string, unknown>;

  beforeAll(async () => {
    stack = await consumerStack("python", "p2p-pkg-py");
    namespace = (await stack.getConfig("namespace")).value;
  });

  afterAll(() => removeStack(stack));

  it("deploys both with the real engine, and reads every check's verdict back in Python", async () => {
    const result = await stack.up();
    expect(result.summary.result).toBe("succeeded");
    outputs = await outputsOf(stack);
    const passedAll = Object.fromEntries(CHECKS_ISOLATED.map((check) => [check, true]));
    for (const lab of ["first", "second"]) {
      // The summary is computed in __main__.py from the SDK's typed outputs.
      expect(outputs[`${lab}Summary`], String(outputs[`${lab}Report`])).toEqual({
        passed: CHECKS_ISOLATED.length,
        failed: 0,
        checks: passedAll,
      });
      expect(outputs[`${lab}NetworkPolicies`]).toEqual([
        `${lab}-default-deny`,
        `${lab}-nginx-allow-client`,
      ]);
      expect(outputs[`${lab}Report`]).toContain(`answered by ${lab}-nginx-server`);
    }
    expect(outputs.namespace).toBe(namespace);
    expect(outputs.firstNginxPodIp).not.toBe(outputs.secondNginxPodIp);
  });

  it("puts both labs' objects in the one namespace, each named after its lab", () => {
    const expected = ["first", "second"].flatMap((lab) => [
      // The image checks, and the pods they ran (Completed).
      `Job/${lab}-busybox-image-check`,
      `Job/${lab}-nginx-image-check`,
      `Pod/${lab}-busybox-image-check-*`,
      `Pod/${lab}-nginx-image-check-*`,
      `NetworkPolicy/${lab}-default-deny`,
      `NetworkPolicy/${lab}-nginx-allow-client`,
      `Pod/${lab}-busybox-client`,
      `Pod/${lab}-nginx-server`,
      `Pod/${lab}-stranger-client`,
      `Service/${lab}-nginx-service`,
    ]);
    expect(objectsIn(namespace)).toEqual(expected.sort());
  });

  it("starts each lab's runner from the package, relative to the consumer's project", async () => {
    expect(await checkCommandsOf(stack)).toEqual([
      "node ../../checks/start.js",
      "node ../../checks/start.js",
    ]);
  });

  it("passes the policy pack the same way: the busybox exemption, once per lab, and nothing else", async () => {
    const events = recorder();
    const preview = await stack.preview({
      policyPacks: [path.join(PROJECT_DIR, "policy")],
      onEvent: events.onEvent,
    });
    expect(Object.keys(preview.changeSummary)).toEqual(["same"]);
    const findings = events.policies.map((p) => [
      p.policyName,
      p.enforcementLevel,
      p.resourceUrn?.split("::").pop(),
    ]);
    expect(findings.sort()).toEqual([
      ["pod-security-exemptions", "advisory", "first-busybox-pod"],
      ["pod-security-exemptions", "advisory", "second-busybox-pod"],
    ]);
  });

  it("destroys everything: the namespace is gone", async () => {
    await stack.destroy();
    expect(namespaceGone(namespace)).toBe(true);
    expect(await resourcesOf(stack)).toEqual([]);
  });
});

describe("a YAML program with the walkthrough's open lab, its cluster in its stack's config", () => {
  let stack: Stack;
  let namespace: string;

  beforeAll(async () => {
    // No KUBECONFIG: the kubernetes provider and the checks' kubectl, run by the package's
    // provider process, both take the cluster from the consumer stack's kubernetes:kubeconfig.
    stack = await consumerStack("yaml", "p2p-pkg-yaml", { KUBECONFIG: "/nonexistent/kubeconfig" });
    await stack.setConfig("kubernetes:kubeconfig", {
      value: fs.readFileSync(env.KUBECONFIG, "utf8"),
      secret: true,
    });
    namespace = (await stack.getConfig("namespace")).value;
  });

  afterAll(() => removeStack(stack));

  it("deploys with the real engine, and reads the verdict back in YAML", async () => {
    const result = await stack.up();
    expect(result.summary.result).toBe("succeeded");
    const outputs = await outputsOf(stack);
    expect(outputs.failed, String(outputs.report)).toBe(0);
    expect(outputs.passed).toBe(CHECKS_OPEN.length);
    expect((outputs.checks as { name: string; ok: boolean }[]).map((c) => [c.name, c.ok])).toEqual(
      CHECKS_OPEN.map((check) => [check, true]),
    );
    expect(outputs.networkPolicies).toEqual([]);
    expect(outputs.namespace).toBe(namespace);
    expect(objectsIn(namespace)).toEqual([
      "Job/lab-busybox-image-check",
      "Job/lab-nginx-image-check",
      "Pod/lab-busybox-client",
      "Pod/lab-busybox-image-check-*",
      "Pod/lab-nginx-image-check-*",
      "Pod/lab-nginx-server",
      "Service/lab-nginx-service",
    ]);
  });

  it("destroys everything: the namespace is gone", async () => {
    await stack.destroy();
    expect(namespaceGone(namespace)).toBe(true);
  });
});

// Not registered at all without Go: the NOT RUN line above names it, rather than a skipped test.
if (GO_MISSING.length === 0) {
  describe("a Go program with one isolated lab, its verdict read through the Go SDK's types", () => {
    let stack: Stack;
    let namespace: string;

    beforeAll(async () => {
      stack = await consumerStack("go", "p2p-go-pkg");
      namespace = (await stack.getConfig("namespace")).value;
    });

    afterAll(() => removeStack(stack));

    it("deploys with the real engine, and reads every check's verdict back in Go", async () => {
      const result = await stack.up();
      expect(result.summary.result).toBe("succeeded");
      const outputs = await outputsOf(stack);
      // The summary is computed in main.go from the SDK's LabVerification and LabCheckResult.
      expect(outputs.summary, String(outputs.report)).toEqual({
        passed: CHECKS_ISOLATED.length,
        failed: 0,
        checks: Object.fromEntries(CHECKS_ISOLATED.map((check) => [check, true])),
      });
      const verification = outputs.verification as { checks: { name: string; detail: string }[] };
      expect(verification.checks.map((check) => check.name)).toEqual(CHECKS_ISOLATED);
      expect(outputs.networkPolicies).toEqual(["edge-default-deny", "edge-nginx-allow-client"]);
      expect(outputs.namespace).toBe(namespace);
      // A detail's phrase from the verdict, where it is one line; the report wraps it.
      expect(verification.checks.find((check) => check.name === "pod-ip-http")?.detail).toContain(
        "answered by edge-nginx-server",
      );
      expect(String(outputs.report).split("\n")[0]).toBe(
        `pod-to-pod network verification (${CHECKS_ISOLATED.length} passed, 0 failed)`,
      );
      expect(objectsIn(namespace)).toEqual([
        "Job/edge-busybox-image-check",
        "Job/edge-nginx-image-check",
        "NetworkPolicy/edge-default-deny",
        "NetworkPolicy/edge-nginx-allow-client",
        "Pod/edge-busybox-client",
        "Pod/edge-busybox-image-check-*",
        "Pod/edge-nginx-image-check-*",
        "Pod/edge-nginx-server",
        "Pod/edge-stranger-client",
        "Service/edge-nginx-service",
      ]);
    });

    it("starts the lab's runner from the package, relative to the consumer's project", async () => {
      expect(await checkCommandsOf(stack)).toEqual(["node ../../checks/start.js"]);
    });

    it("destroys everything: the namespace is gone", async () => {
      await stack.destroy();
      expect(namespaceGone(namespace)).toBe(true);
      expect(await resourcesOf(stack)).toEqual([]);
    });
  });
}
