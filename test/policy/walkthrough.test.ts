import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { policies } from "../../policy/policies";
import { Finding, pssProblem, runPack } from "./harness";

/** The manifests of the walkthrough the lab automates: every ```yaml block of it. */
function walkthroughManifests(): {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
}[] {
  const text = fs.readFileSync(path.join(__dirname, "fixtures", "walkthrough.md"), "utf8");
  const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.flatMap((block) => parseAllDocuments(block).map((doc) => doc.toJS()));
}

/** `v1` is the core group, whose type tokens say `core/v1`. */
function typeOf(manifest: { apiVersion: string; kind: string }): string {
  const group = manifest.apiVersion.includes("/")
    ? manifest.apiVersion
    : `core/${manifest.apiVersion}`;
  return `kubernetes:${group}:${manifest.kind}`;
}

let findings: Finding[];

beforeAll(async () => {
  const resources = walkthroughManifests().map((m) => ({
    type: typeOf(m),
    name: m.metadata.name,
    inputs: m,
  }));
  expect(resources.map((r) => `${r.type}::${r.name}`)).toEqual([
    "kubernetes:core/v1:Pod::nginx-server",
    "kubernetes:core/v1:Pod::busybox-client",
    "kubernetes:core/v1:Service::nginx-service",
  ]);
  findings = await runPack(policies, resources);
});

/**
 * `level policy: flaw` for the findings on one resource: each message up to what it accepts, a
 * pss-* one without the Pod Security Admission header it opens with.
 */
function flawsOf(name: string): string[] {
  return findings
    .filter((f) => f.resource.endsWith(`::${name}`))
    .map((f) => {
      const flaw = f.policy.startsWith("pss-")
        ? pssProblem(f.message)
        : f.message.split("; accepted: ")[0];
      return `${f.level} ${f.policy}: ${flaw}`;
    });
}

describe("the walkthrough's manifests", () => {
  it("fail the pack, every message saying what would be accepted", () => {
    expect(findings.filter((f) => f.level === "mandatory")).toHaveLength(24);
    for (const finding of findings) {
      expect(finding.message).toMatch(/; accepted: .+\.$/);
    }
  });

  it("flag every flaw of the nginx Pod, once", () => {
    const pod = "Pod nginx-server";
    const container = `${pod}, container nginx`;
    expect(flawsOf("nginx-server")).toEqual([
      `mandatory image-pinned: ${container}: image "nginx:latest" uses the tag latest, which moves with every release`,
      `mandatory image-pull-policy: ${container}: imagePullPolicy is unset (so it depends on the tag)`,
      `mandatory container-resources: ${container}: resources.requests.cpu, resources.requests.memory, resources.limits.cpu, resources.limits.memory not set`,
      `mandatory read-only-root-filesystem: ${container}: securityContext.readOnlyRootFilesystem is unset`,
      `mandatory service-account-token: ${pod} runs as the default service account and automountServiceAccountToken is unset (which mounts the token)`,
      `mandatory readiness-probe: ${container} receives traffic from Service nginx-service port 80 but has no readinessProbe`,
      `mandatory liveness-probe: ${container} receives traffic from Service nginx-service port 80 but has no livenessProbe`,
      `mandatory pss-capabilities: ${container}: capabilities.drop is unset`,
      `mandatory pss-seccomp: ${container}: seccomp profile is unset at pod and container level`,
      `mandatory pss-privilege-escalation: ${container}: securityContext.allowPrivilegeEscalation is unset (which allows it)`,
      `mandatory pss-run-as-non-root: ${container}: runAsNonRoot is unset at pod and container level, so it may run as root`,
      `mandatory pod-networkpolicy: ${pod} {app=nginx} in namespace default is selected by no NetworkPolicy of the stack, so any pod may reach it`,
      `mandatory required-labels: ${pod} lacks labels app.kubernetes.io/name, app.kubernetes.io/part-of (it has: app=nginx)`,
      `advisory namespace-not-default: ${pod} sets no metadata.namespace, so it lands in the provider's default namespace (default unless kubernetes:namespace is set)`,
    ]);
  });

  it("flag every flaw of the busybox Pod, once, with no exemption for it", () => {
    const pod = "Pod busybox-client";
    const container = `${pod}, container busybox`;
    expect(flawsOf("busybox-client")).toEqual([
      `mandatory image-pinned: ${container}: image "busybox" has no tag, which means busybox:latest`,
      `mandatory image-pull-policy: ${container}: imagePullPolicy is unset (so it depends on the tag)`,
      `mandatory container-resources: ${container}: resources.requests.cpu, resources.requests.memory, resources.limits.cpu, resources.limits.memory not set`,
      `mandatory read-only-root-filesystem: ${container}: securityContext.readOnlyRootFilesystem is unset`,
      `mandatory service-account-token: ${pod} runs as the default service account and automountServiceAccountToken is unset (which mounts the token)`,
      `mandatory pss-capabilities: ${container}: capabilities.drop is unset`,
      `mandatory pss-seccomp: ${container}: seccomp profile is unset at pod and container level`,
      `mandatory pss-privilege-escalation: ${container}: securityContext.allowPrivilegeEscalation is unset (which allows it)`,
      `mandatory pss-run-as-non-root: ${container}: runAsNonRoot is unset at pod and container level, so it may run as root`,
      `mandatory pod-networkpolicy: ${pod} {none} in namespace default is selected by no NetworkPolicy of the stack, so any pod may reach it`,
      `mandatory required-labels: ${pod} lacks labels app.kubernetes.io/name, app.kubernetes.io/part-of (it has: none)`,
      `advisory namespace-not-default: ${pod} sets no metadata.namespace, so it lands in the provider's default namespace (default unless kubernetes:namespace is set)`,
    ]);
  });

  it("flag the Service only for its namespace: it does select nginx-server", () => {
    expect(flawsOf("nginx-service")).toEqual([
      "advisory namespace-not-default: Service nginx-service sets no metadata.namespace, so it lands in the provider's default namespace (default unless kubernetes:namespace is set)",
    ]);
    // The walkthrough's lesson is that every pod reaches every other: nothing denies by default.
    expect(
      findings.filter((f) => f.resource === "stack").map((f) => `${f.level} ${f.policy}`),
    ).toEqual(["advisory namespace-default-deny"]);
  });
});
