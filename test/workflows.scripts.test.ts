import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runScript } from "./workflows.helpers";

// The workflows' bash scripts in .github/scripts, run in a scratch directory as a runner would.
// install-pulumi.sh runs through the setup action's step in workflows.steps.test.ts.

describe("require-backend.sh", () => {
  const check = (env: Record<string, string>, stackFile?: string) => {
    const result = runScript(
      "require-backend.sh",
      { STACK: "dev", RUNNER_ENVIRONMENT: "github-hosted", ...env },
      stackFile === undefined ? {} : { "Pulumi.dev.yaml": stackFile },
    );
    return { ...result, stdout: result.output, summary: result.file("summary.md") };
  };
  const DEV = "config:\n  pod-to-pod:namespace: pod-to-pod\n";

  it("fails without a backend, naming the variable and the secret to set", () => {
    const { status, stdout, summary } = check({}, DEV);
    expect(status).toBe(1);
    expect(stdout).toContain("::error title=Pulumi backend for stack dev::No Pulumi backend");
    expect(stdout).toContain("repository variable PULUMI_BACKEND_URL");
    expect(stdout).toContain("repository secret PULUMI_ACCESS_TOKEN");
    expect(summary).toContain("### ❌ No usable Pulumi backend for stack `dev`");
    expect(summary).toContain("- No Pulumi backend");
  });

  it("accepts object storage with the passphrase, and asks for the passphrase without it", () => {
    const ok = check({ PULUMI_BACKEND_URL: "s3://state", PULUMI_CONFIG_PASSPHRASE: "x" }, DEV);
    expect(ok.status, ok.stdout).toBe(0);
    expect(ok.stdout).toContain("Stack dev on s3://state; secrets: the passphrase.");
    expect(ok.summary).toBe("");
    const missing = check({ PULUMI_BACKEND_URL: "s3://state" }, DEV);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain("repository secret PULUMI_CONFIG_PASSPHRASE");
    expect(missing.stdout).toContain("CI does not make one up");
  });

  it("needs no passphrase for a stack whose file names a KMS secrets provider", () => {
    const { status, stdout } = check(
      { PULUMI_BACKEND_URL: "gs://state" },
      `secretsprovider: gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k\n${DEV}`,
    );
    expect(status, stdout).toBe(0);
    expect(stdout).toContain("secrets: gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k.");
  });

  it("wants an access token for Pulumi Cloud, and a passphrase only for a passphrase stack", () => {
    const noToken = check({ PULUMI_BACKEND_URL: "https://api.pulumi.com" }, DEV);
    expect(noToken.status).toBe(1);
    expect(noToken.stdout).toContain("set the repository secret PULUMI_ACCESS_TOKEN");
    const cloud = check({ PULUMI_ACCESS_TOKEN: "pul-x" }, DEV);
    expect(cloud.status, cloud.stdout).toBe(0);
    expect(cloud.stdout).toContain("Stack dev on Pulumi Cloud; secrets: the backend's own.");
    const salted = check({ PULUMI_ACCESS_TOKEN: "pul-x" }, `encryptionsalt: v1:abc\n${DEV}`);
    expect(salted.status).toBe(1);
    expect(salted.stdout).toContain("PULUMI_CONFIG_PASSPHRASE");
  });

  it("refuses a file:// backend on a GitHub-hosted runner, which is deleted with its state", () => {
    const env = { PULUMI_BACKEND_URL: "file:///var/lib/state", PULUMI_CONFIG_PASSPHRASE: "x" };
    const hosted = check(env, DEV);
    expect(hosted.status).toBe(1);
    expect(hosted.stdout).toContain("a GitHub-hosted runner is deleted after the job");
    expect(hosted.stdout).toContain(
      "repository variables POD_TO_POD_DEPLOY_RUNNER and POD_TO_POD_PREVIEW_RUNNER",
    );
    const selfHosted = check({ ...env, RUNNER_ENVIRONMENT: "self-hosted" }, DEV);
    expect(selfHosted.status, selfHosted.stdout).toBe(0);
  });

  it("reports every problem at once, and refuses a value that is not a URL", () => {
    const { status, stdout } = check({ PULUMI_BACKEND_URL: "/var/lib/state" }, DEV);
    expect(status).toBe(1);
    expect(stdout).toContain("which is not a backend URL");
    const both = check({ PULUMI_BACKEND_URL: "azblob://state" }, "");
    expect(both.status).toBe(1);
    expect(both.stdout.match(/::error /g)).toHaveLength(1);
    const two = check({ PULUMI_BACKEND_URL: "https://api.pulumi.com" }, "encryptionsalt: v1:a\n");
    expect(two.stdout.match(/::error /g)).toHaveLength(2);
  });
});

describe("write-kubeconfig.sh", () => {
  it("writes secrets.KUBECONFIG to a private file and points KUBECONFIG at it", () => {
    const ran = runScript("write-kubeconfig.sh", {
      KUBECONFIG_CONTENT: "apiVersion: v1\nkind: Config",
    });
    expect(ran.status, ran.output).toBe(0);
    const file = path.join(ran.dir, "kubeconfig");
    expect(ran.file("kubeconfig")).toBe("apiVersion: v1\nkind: Config\n");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(ran.file("env")).toBe(`KUBECONFIG=${file}\n`);
    expect(ran.output).not.toContain("apiVersion");
  });

  it("changes nothing without that secret", () => {
    const none = runScript("write-kubeconfig.sh", { KUBECONFIG_CONTENT: "" });
    expect(none.status).toBe(0);
    expect(none.output).toContain("No secrets.KUBECONFIG");
    expect(fs.existsSync(path.join(none.dir, "kubeconfig"))).toBe(false);
    expect(none.file("env")).toBe("");
  });
});
