import * as fs from "node:fs";
import * as path from "node:path";
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { PROJECT_DIR } from "./cli";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  harness,
  Harness,
  recorder,
  uniqueStack,
  UNREACHABLE_KUBECONFIG,
} from "../../tools/lib/engine";

/**
 * The real engine with no cluster reachable, as a pull-request preview has it: the plan, config
 * mistakes and the policy pack. Needs the pinned CLI, language host and both providers.
 */
let engine: Harness;
let stack: Stack;

beforeAll(async () => {
  const kubeconfig = path.join(process.env.TMPDIR ?? "/tmp", `p2p-unreachable-${process.pid}.yaml`);
  fs.writeFileSync(kubeconfig, UNREACHABLE_KUBECONFIG);
  engine = await harness(kubeconfig);
  stack = await engine.stack(uniqueStack("preview"));
});

afterAll(async () => {
  await stack?.workspace.removeStack(stack.name, { force: true });
  fs.rmSync(engine?.env.KUBECONFIG ?? "", { force: true });
  engine?.close();
});

describe("pulumi preview with the real engine and no reachable cluster", () => {
  it("plans the namespace, ConfigMap, both pods, the Service and the check, each under its component, from a fresh stack with no config", async () => {
    const events = recorder();
    await stack.preview({ onEvent: events.onEvent });
    const typeOf = (urn?: string) => events.steps.find((s) => s.urn === urn)?.type;
    const planned = (type: string, name: string) => {
      const step = events.steps.find((s) => s.type === type && s.urn.endsWith(`::${name}`));
      expect(step, `${type} ${name} in the plan`).toBeDefined();
      expect(step?.op).toBe("create");
      return typeOf(step?.parent);
    };
    expect(planned("kubernetes:core/v1:Namespace", "lab-namespace")).toBe(
      "pod-to-pod:lab:Namespace",
    );
    expect(planned("kubernetes:core/v1:ConfigMap", "nginx-conf")).toBe(
      "pod-to-pod:lab:NginxServer",
    );
    expect(planned("kubernetes:core/v1:Pod", "nginx-pod")).toBe("pod-to-pod:lab:NginxServer");
    expect(planned("kubernetes:core/v1:Pod", "busybox-pod")).toBe("pod-to-pod:lab:BusyboxClient");
    expect(planned("kubernetes:core/v1:Service", "nginx-service")).toBe(
      "pod-to-pod:lab:NginxService",
    );
    expect(planned("command:local:Command", "connectivity-run")).toBe(
      "pod-to-pod:lab:ConnectivityCheck",
    );
  });

  it("previews the same commit twice with the same plan and no warning (a PR preview's diff is the change, nothing else)", async () => {
    /** One preview: every step the engine planned, by URN, and every warning it printed. */
    const previewOnce = async () => {
      const steps = new Map<string, unknown>();
      const outputs = new Map<string, unknown>();
      const warnings: string[] = [];
      const onEvent = (event: EngineEvent) => {
        const pre = event.resourcePreEvent?.metadata;
        if (pre) {
          steps.set(pre.urn, { op: pre.op, new: pre.new, old: pre.old, diffs: pre.diffs });
        }
        const done = event.resOutputsEvent?.metadata;
        if (done) {
          outputs.set(done.urn, done.new?.outputs);
        }
        const diagnostic = event.diagnosticEvent;
        if (diagnostic && diagnostic.severity === "warning") {
          warnings.push(diagnostic.message);
        }
      };
      let output = "";
      await stack.preview({ diff: true, onEvent, onOutput: (text) => (output += text) });
      const sorted = (map: Map<string, unknown>) => [...map].sort(([a], [b]) => a.localeCompare(b));
      return { steps: sorted(steps), outputs: sorted(outputs), warnings, output };
    };
    const first = await previewOnce();
    const second = await previewOnce();
    // Nothing a preview makes up anew: auto-named objects took a new random suffix every time.
    expect(second.steps).toEqual(first.steps);
    expect(second.outputs).toEqual(first.outputs);
    const conf = first.steps.find(([urn]) => urn.endsWith("ConfigMap::nginx-conf"))?.[1] as {
      new: { inputs: { metadata: { name: string } } };
    };
    expect(conf.new.inputs.metadata.name).toMatch(/^nginx-server-conf-[0-9a-f]{10}$/);
    // What the cluster assigns (UIDs, nodes, the ClusterIP) is unknown, not an undefined output.
    expect(first.warnings).toEqual([]);
    expect(second.warnings).toEqual([]);
    expect(first.output).not.toMatch(/warning|Undefined value/i);
    const stackOutputs = first.outputs.find(([urn]) =>
      urn.endsWith("pulumi:pulumi:Stack::" + `pod-to-pod-${stack.name}`),
    )?.[1] as Record<string, unknown> | undefined;
    expect(Object.keys(stackOutputs ?? {}).sort()).toEqual([
      "busyboxNode",
      "busyboxPodIp",
      "namespace",
      "networkPolicies",
      "nginxNode",
      "nginxPodIp",
      "nginxPodUid",
      "report",
      "serviceClusterIp",
      "verification",
    ]);
  });

  it("fails on a bad value naming the key and what is accepted, as a message, creating nothing", async () => {
    await stack.setConfig("pod-to-pod:placement", { value: "everywhere" });
    try {
      let output = "";
      await expect(
        stack.up({ onOutput: (text) => (output += text), onError: (text) => (output += text) }),
      ).rejects.toThrow();
      expect(output).toContain(
        'pod-to-pod:placement = "everywhere" is not valid: expected one of any, same-node, different-nodes',
      );
      // A RunError: no stack trace, no "unhandled exception".
      expect(output).not.toMatch(/\n\s+at |unhandled exception/i);
      const state = await stack.exportStack();
      const types = (state.deployment.resources ?? []).map((r: { type: string }) => r.type);
      expect(types.filter((t: string) => t !== "pulumi:pulumi:Stack")).toEqual([]);
    } finally {
      await stack.removeConfig("pod-to-pod:placement");
    }
  });

  it("fails preview on a key the lab does not know, and on a dotted key set without --path, naming the fix", async () => {
    await stack.setConfig("pod-to-pod:nginxx", { value: "{}" });
    // `pulumi config set pod-to-pod:nginx.image x` without --path: one key with a dot in its name.
    await stack.setConfig("pod-to-pod:nginx.image", { value: "nginx:1.27.0" });
    try {
      let output = "";
      await expect(
        stack.preview({
          onOutput: (text) => (output += text),
          onError: (text) => (output += text),
        }),
      ).rejects.toThrow();
      expect(output).toContain("Invalid configuration (2 problems)");
      expect(output).toContain(
        "pod-to-pod:nginxx = {} is not valid: unknown key; did you mean pod-to-pod:nginx?",
      );
      expect(output).toContain("pulumi config set --path 'pod-to-pod:nginx.image' <value>");
    } finally {
      await stack.removeConfig("pod-to-pod:nginxx");
      await stack.removeConfig("pod-to-pod:nginx.image");
    }
  });

  it("passes the policy pack with only the reported NET_RAW exemption", async () => {
    const events = recorder();
    await stack.preview({
      policyPacks: [path.join(stack.workspace.workDir, "policy")],
      onEvent: events.onEvent,
    });
    expect(events.policies.filter((p) => p.enforcementLevel === "mandatory")).toEqual([]);
    const advisories = events.policies.filter((p) => p.enforcementLevel === "advisory");
    expect(advisories.length).toBeGreaterThan(0);
    expect(advisories.map((p) => p.message).join("\n")).toContain("NET_RAW");
  });

  it("refuses nginx:latest in its config, with the reason, before the policy pack sees a pod", async () => {
    await stack.setConfig("pod-to-pod:nginx.image", { value: "nginx:latest" }, true);
    try {
      const events = recorder();
      let output = "";
      await expect(
        stack.preview({
          policyPacks: [path.join(stack.workspace.workDir, "policy")],
          onEvent: events.onEvent,
          onOutput: (text) => (output += text),
          onError: (text) => (output += text),
        }),
      ).rejects.toThrow();
      expect(output).toContain(
        'pod-to-pod:nginx.image = "nginx:latest" is not valid: expected an image pinned by a fixed tag or a digest, such as nginx:<version> or nginx@sha256:<64 hex>: the tag "latest" moves, so pulumi up would deploy different code with no diff',
      );
      expect(events.policies.filter((p) => p.policyName === "image-pinned")).toEqual([]);
    } finally {
      await stack.removeConfig("pod-to-pod:nginx");
    }
  });

  describe("on a program that is not the lab (test/fixtures/policy-program), one flaw per object", () => {
    let events: ReturnType<typeof recorder>;
    let mandatory: ReturnType<typeof recorder>["policies"];
    /** The policies that found something on the object of this Pulumi name, at a level. */
    const findings = (name: string, level = "mandatory") =>
      events.policies
        .filter((p) => p.enforcementLevel === level && p.resourceUrn?.endsWith(`::${name}`))
        .map((p) => p.policyName)
        .sort();

    beforeAll(async () => {
      const other = await engine.stack(
        uniqueStack("policy"),
        path.join(PROJECT_DIR, "test/fixtures/policy-program"),
      );
      try {
        events = recorder();
        await expect(
          other.preview({
            policyPacks: [path.join(PROJECT_DIR, "policy")],
            onEvent: events.onEvent,
          }),
        ).rejects.toThrow();
        mandatory = events.policies.filter((p) => p.enforcementLevel === "mandatory");
      } finally {
        await other.workspace.removeStack(other.name, { force: true });
      }
    });

    it("fails a pod that runs as root, mounts nfs, sets kernel.msgmax or runs nginx:latest, naming the control as PSA does", () => {
      expect(findings("root-pod"), JSON.stringify(mandatory, null, 1)).toEqual([
        "pss-run-as-non-root",
        "pss-run-as-user",
      ]);
      expect(findings("nfs-pod")).toEqual(["pss-volume-types"]);
      expect(findings("sysctl-pod")).toEqual(["pss-sysctls"]);
      expect(findings("latest-pod")).toEqual(["image-pinned"]);
      const messages = mandatory.map((p) => p.message).join("\n");
      expect(messages).toContain(
        'violates PodSecurity "restricted:v1.34": restricted volume types (Pod nfs-pod: volume data is of type nfs)',
      );
      expect(messages).toContain(
        'violates PodSecurity "restricted:v1.34": forbidden sysctls (Pod sysctl-pod: sysctl kernel.msgmax',
      );
    });

    it("applies the enforce-version of the stack's Namespace: v1.35 admits root in a user namespace", () => {
      expect(findings("userns-root-pod")).toEqual([]);
      expect(findings("userns-root-pod-default")).toEqual([
        "pss-run-as-non-root",
        "pss-run-as-user",
      ]);
    });

    it("fails a pod no NetworkPolicy selects and a NetworkPolicy that selects no pod, and advises a default-deny", () => {
      expect(findings("open-pod")).toEqual(["pod-networkpolicy"]);
      expect(findings("covered-pod")).toEqual([]);
      expect(findings("allow-typo")).toEqual(["networkpolicy-targets-pod"]);
      expect(findings("allow-covered")).toEqual([]);
      const advice = events.policies.filter((p) => p.policyName === "namespace-default-deny");
      expect(advice.map((p) => p.message).join("\n")).toContain(
        "Namespace np-test has no default-deny",
      );
      expect(advice.map((p) => p.message).join("\n")).not.toContain("Namespace policy-test ");
    });
  });
});
