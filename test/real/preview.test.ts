import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pulumi, UNREACHABLE_KUBECONFIG, uniqueStack } from "./cli";

interface PreviewStep {
  op: string;
  urn: string;
  newState?: { type: string; parent?: string; inputs?: Record<string, unknown> };
}

const stack = uniqueStack("preview");
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "p2p-preview-"));
  const kubeconfig = path.join(dir, "kubeconfig.yaml");
  fs.writeFileSync(kubeconfig, UNREACHABLE_KUBECONFIG);
  env = { KUBECONFIG: kubeconfig };
  pulumi(["stack", "init", stack], env);
});

afterAll(() => {
  pulumi(["stack", "rm", "--yes", "--force", "--stack", stack], env, false);
});

function typeOf(steps: PreviewStep[], urn: string | undefined): string | undefined {
  return steps.find((s) => s.urn === urn)?.newState?.type;
}

describe("pulumi preview for real, with no reachable cluster", () => {
  it("plans the namespace, both pods, the Service and the check command, each under its component", () => {
    const result = pulumi(["preview", "--json", "--stack", stack], env);
    const steps = (JSON.parse(result.stdout) as { steps: PreviewStep[] }).steps;
    const parentType = (type: string, nameSuffix: string) => {
      const step = steps.find((s) => s.newState?.type === type && s.urn.endsWith(nameSuffix));
      expect(step, `${type} ${nameSuffix} in the plan`).toBeDefined();
      expect(step?.op).toBe("create");
      return typeOf(steps, step?.newState?.parent);
    };
    expect(parentType("kubernetes:core/v1:Namespace", "lab-namespace")).toBe(
      "pod-to-pod:lab:Namespace",
    );
    expect(parentType("kubernetes:core/v1:Pod", "nginx-pod")).toBe("pod-to-pod:lab:NginxServer");
    expect(parentType("kubernetes:core/v1:ConfigMap", "nginx-conf")).toBe(
      "pod-to-pod:lab:NginxServer",
    );
    expect(parentType("kubernetes:core/v1:Pod", "busybox-pod")).toBe(
      "pod-to-pod:lab:BusyboxClient",
    );
    expect(parentType("kubernetes:core/v1:Service", "nginx-service")).toBe(
      "pod-to-pod:lab:NginxService",
    );
    expect(parentType("command:local:Command", "connectivity-run")).toBe(
      "pod-to-pod:lab:ConnectivityCheck",
    );
  });

  it("fails on a bad config value, naming the key and what is accepted", () => {
    pulumi(["config", "set", "placement", "everywhere", "--stack", stack], env);
    try {
      const result = pulumi(["preview", "--stack", stack], env, false);
      expect(result.code).not.toBe(0);
      expect(result.stdout + result.stderr).toContain(
        'pod-to-pod:placement = "everywhere" is not valid: expected one of any, same-node, different-nodes',
      );
    } finally {
      pulumi(["config", "rm", "placement", "--stack", stack], env);
    }
  });
});
