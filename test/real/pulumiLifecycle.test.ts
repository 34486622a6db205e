import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cidrContains } from "../../checks/ipv4";
import { StackOutputs } from "../../scripts/lib/stackOutputs";
import { pulumi, run, uniqueStack } from "./cli";

/**
 * The whole life of a stack on the real cluster: up, every check passes, a no-op up, verify,
 * destroy, nothing left. scripts/test.sh brings the cluster up first and sets KUBECONFIG.
 */
const stack = uniqueStack("e2e");
const namespace = "p2p-e2e";
const env: NodeJS.ProcessEnv = { PULUMI_STACK: stack };

type Outputs = StackOutputs;

function outputs(): Outputs {
  return JSON.parse(pulumi(["stack", "output", "--json", "--stack", stack], env).stdout) as Outputs;
}

function kubectl(args: string[]) {
  return run("kubectl", args, env, 60_000);
}

beforeAll(() => {
  expect(
    process.env.KUBECONFIG,
    "scripts/test.sh sets KUBECONFIG to the local cluster",
  ).toBeTruthy();
  const images = JSON.parse(
    fs.readFileSync(`${process.env.POD_TO_POD_STATE}/images.json`, "utf8"),
  ) as Record<string, string>;
  pulumi(["stack", "init", stack], env);
  const set = (key: string, value: string) =>
    pulumi(["config", "set", "--path", key, value, "--stack", stack], env);
  set("namespace", namespace);
  set("nginx.image", images.nginx);
  set("nginx.imagePullPolicy", "Never");
  set("busybox.image", images.busybox);
  set("busybox.imagePullPolicy", "Never");
});

afterAll(() => {
  // Leave nothing behind even when a step failed.
  pulumi(["destroy", "--yes", "--stack", stack], env, false);
  pulumi(["stack", "rm", "--yes", "--force", "--stack", stack], env, false);
});

describe("the lab on the local k3s cluster", () => {
  let first: Outputs;

  it("pulumi up deploys it and every check passes", () => {
    const up = pulumi(["up", "--yes", "--skip-preview", "--stack", stack], env);
    console.log(`pulumi up took ${up.seconds.toFixed(1)} s`);
    first = outputs();
    expect(first.verification.failed, first.report).toBe(0);
    expect(first.verification.passed).toBe(9);
  });

  it("exports distinct pod IPs in 10.42.0.0/16 and a ClusterIP in 10.43.0.0/16", () => {
    expect(cidrContains("10.42.0.0/16", first.nginxPodIp)).toBe(true);
    expect(cidrContains("10.42.0.0/16", first.busyboxPodIp)).toBe(true);
    expect(first.nginxPodIp).not.toBe(first.busyboxPodIp);
    expect(cidrContains("10.43.0.0/16", first.serviceClusterIp)).toBe(true);
    expect(first.namespace).toBe(namespace);
  });

  it("shows the walkthrough's evidence: 0% ping loss and the nginx page by pod IP and by name", () => {
    const check = (name: string) => first.verification.checks.find((c) => c.name === name);
    expect(check("ping")?.facts).toMatchObject({ lossPercent: 0, received: 4 });
    expect(check("pod-ip-http")?.detail).toContain("Welcome to nginx!");
    expect(check("service-dns-http")?.detail).toContain("Welcome to nginx!");
    expect(check("pod-interface")?.facts).toMatchObject({ mtu: 1450 });
  });

  it("a second pulumi up changes nothing and does not re-run the checks", () => {
    pulumi(["up", "--yes", "--expect-no-changes", "--stack", stack], env);
    // The check's timings are in its stored stdout: a re-run would have produced new ones.
    expect(outputs().verification).toEqual(first.verification);
  });

  it("npm run verify re-runs the checks against the stack and passes", () => {
    const verify = run("bash", ["scripts/verify.sh"], env);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toContain("9 passed, 0 failed");
  });

  it("pulumi destroy leaves no pod, Service or namespace of the program", () => {
    pulumi(["destroy", "--yes", "--stack", stack], env);
    const left = kubectl([
      "get",
      "pods,services",
      "--all-namespaces",
      "-l",
      "app.kubernetes.io/part-of=pod-to-pod",
      "-o",
      "name",
    ]);
    expect(left.code).toBe(0);
    expect(left.stdout.trim()).toBe("");
    const ns = kubectl(["get", "namespace", namespace]);
    expect(ns.code === 0 ? ns.stdout : "").not.toMatch(/Active/);
  });
});
