import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { fromEnvironment } from "../../checks/contract/environment";
import { MESH_EXEMPTIONS, policies, resourceKey } from "../../policy/policies";
import { Finding, runPack } from "../policy/harness";
import { DEFAULTS } from "../../config";
import { LAB_NAMES } from "../../components/names";
import { nginxConfMapName } from "../../components/nginxConf";
import { fixedNameObjects } from "../../components/podToPodLab";
import { inputsOf, installMocks, mockUid, promiseOf, registered, urnOf } from "./mocks";

/** The program with `coverage: every-node`, under mocks, and the objects it registered. */
beforeAll(async () => {
  await installMocks();
  process.env.KUBECTL = process.execPath;
  pulumi.runtime.setAllConfig({ "pod-to-pod:coverage": "every-node" }, []);
  const program = await import("../../index");
  await promiseOf(program.report);
});

const DAEMONSET = "kubernetes:apps/v1:DaemonSet";

function daemonSet(name: string) {
  return inputsOf(DAEMONSET, new RegExp(`^${name}-daemonset$`));
}

describe("the program with coverage every-node", () => {
  it("adds an echo server, a client and a node probe per node, as DaemonSets, beside the pair", () => {
    expect(
      registered
        .filter((r) => r.type === DAEMONSET)
        .map((r) => r.inputs.metadata.name)
        .sort(),
    ).toEqual(["mesh-client", "mesh-echo", "mesh-node-probe"]);
    // The walkthrough's pods stay as they are.
    expect(
      registered
        .filter((r) => r.type === "kubernetes:core/v1:Pod")
        .map((r) => r.inputs.metadata.name)
        .sort(),
    ).toEqual(["busybox-client", "nginx-server", "stranger-client"]);
    const echo = daemonSet("mesh-echo");
    const nginx = echo.spec.template.spec.containers[0];
    expect(nginx.ports.map((p: { containerPort: number }) => p.containerPort)).toEqual([80, 9080]);
    // Its Service targets the clients' port by name, and selects the echo servers alone.
    const service = inputsOf("kubernetes:core/v1:Service", /^mesh-service$/);
    expect(service.spec.ports[0].targetPort).toBe("http");
    expect(service.spec.selector).toEqual(echo.spec.selector.matchLabels);
  });

  it("lets the mesh's clients into the echo servers, and the nodes on the node port only", () => {
    const allow = inputsOf("kubernetes:networking.k8s.io/v1:NetworkPolicy", /^mesh-echo-allow$/);
    const echo = daemonSet("mesh-echo");
    const clients = daemonSet("mesh-clients");
    expect(allow.spec.podSelector.matchLabels).toEqual(echo.spec.selector.matchLabels);
    expect(allow.spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: clients.spec.selector.matchLabels } }] },
      { ports: [{ protocol: "TCP", port: 9080 }] },
    ]);
  });

  it("keeps the lab's run counter for a sampled coverage, named in the plan, starting at 0", () => {
    const rotation = inputsOf("kubernetes:core/v1:ConfigMap", /^mesh-rotation$/);
    expect(rotation.metadata.name).toBe("mesh-rotation");
    expect(rotation.data).toEqual({ run: "0" });
    const plan = fromEnvironment(inputsOf("command:local:Command").environment).plan.mesh;
    expect(plan?.rotationConfigMap).toBe("mesh-rotation");
    expect(plan?.allPairsUpTo).toBe(32);
  });

  it("claims the counter with the lab's other fixed-name objects: one stack, one lab", () => {
    const config = { ...DEFAULTS, coverage: "every-node" as const };
    expect(
      fixedNameObjects(LAB_NAMES, config)
        .filter((o) => o.name.startsWith("mesh-"))
        .map((o) => `${o.kind}/${o.name}`),
    ).toEqual([
      "daemonset/mesh-echo",
      `configmap/${nginxConfMapName("mesh-echo", 80, [9080], "/run/pod-to-pod/access.log")}`,
      "daemonset/mesh-client",
      "daemonset/mesh-node-probe",
      "service/mesh-echo",
      "configmap/mesh-rotation",
      "networkpolicy/mesh-echo-allow",
      "serviceaccount/mesh-reporter",
      "role/mesh-reporter",
      "rolebinding/mesh-reporter",
    ]);
    // The echo servers' conf as the lab registers it: the name the claim reads is the one made.
    expect(inputsOf("kubernetes:core/v1:ConfigMap", /^mesh-echo-conf$/).metadata.name).toBe(
      nginxConfMapName("mesh-echo", 80, [9080], "/run/pod-to-pod/access.log"),
    );
  });

  it("gives every mesh pod a reporter, the one container with the account's token, held to its own pod's report", () => {
    for (const name of ["mesh-echo", "mesh-clients", "mesh-node-probes"]) {
      const spec = daemonSet(name).spec.template.spec;
      expect(spec.serviceAccountName, name).toBe("mesh-reporter");
      expect(spec.automountServiceAccountToken, name).toBe(false);
      const mounts = (c: { volumeMounts?: Array<{ name: string }> }) =>
        (c.volumeMounts ?? []).map((m) => m.name).sort();
      expect(
        spec.containers.map((c: { name: string }) => c.name),
        name,
      ).toEqual([
        name === "mesh-echo" ? "nginx" : name === "mesh-clients" ? "busybox" : "probe",
        "reporter",
      ]);
      expect(mounts(spec.containers[0]), name).not.toContain("reporter-token");
      expect(mounts(spec.containers[1]), name).toEqual(["exchange", "reporter-token"]);
      expect(spec.containers[1].securityContext, name).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      });
    }
    const role = inputsOf("kubernetes:rbac.authorization.k8s.io/v1:Role", /^mesh-reporting-role$/);
    expect(role.rules).toEqual([
      { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch", "create"] },
    ]);
    const policy = inputsOf(
      "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy",
      /^mesh-reporting-policy$/,
    );
    expect(policy.metadata.name).toBe("pod-to-pod-reports.pod-to-pod");
    expect(policy.spec.matchConditions).toEqual([
      {
        name: "the-lab-reporter",
        expression: "request.userInfo.username == 'system:serviceaccount:pod-to-pod:mesh-reporter'",
      },
    ]);
    const binding = inputsOf(
      "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding",
      /^mesh-reporting-policy-binding$/,
    );
    expect(binding.spec).toEqual({
      policyName: "pod-to-pod-reports.pod-to-pod",
      validationActions: ["Deny"],
      matchResources: {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "pod-to-pod" } },
      },
    });
  });

  it("gives only the node probe the node's network, and it nothing else", () => {
    const probe = daemonSet("mesh-node-probes").spec.template.spec;
    expect(probe.hostNetwork).toBe(true);
    expect(probe.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534 });
    expect(probe.containers[0].securityContext.capabilities).toEqual({ drop: ["ALL"] });
    expect(probe.containers[0].ports).toBeUndefined();
    expect(daemonSet("mesh-echo").spec.template.spec.hostNetwork).toBeUndefined();
    expect(daemonSet("mesh-clients").spec.template.spec.hostNetwork).toBeUndefined();
  });

  it("hands the check its plan, and re-runs it when a DaemonSet is replaced", () => {
    const command = inputsOf("command:local:Command");
    const plan = fromEnvironment(command.environment).plan.mesh;
    expect(plan).toMatchObject({
      namespace: "pod-to-pod",
      serviceName: "mesh-echo",
      echoPort: 80,
      nodePort: 9080,
      parallelism: 8,
      nodeProbeContainer: "probe",
    });
    expect(plan?.echoSelector).toContain("app=mesh-echo");
    expect(plan?.nodeProbeSelector).toContain("app=mesh-node-probe");
    // After the pair's, the three DaemonSets' and the Service's UIDs: a replaced one re-runs the
    // check (what the scripts do is in the runner's version, among the pair's triggers); last, the
    // re-run after a failed verdict, empty with none stored.
    expect(command.triggers.slice(-5)).toEqual([
      mockUid("mesh-echo-daemonset"),
      mockUid("mesh-clients-daemonset"),
      mockUid("mesh-node-probes-daemonset"),
      mockUid("service"),
      "",
    ]);
  });

  it("passes the policy pack with only the exemptions shown, each keyed to its own DaemonSet", async () => {
    // The mocks' URNs carry the immediate parent's type only; the engine's carry every parent's,
    // NodeMesh's included (test/real/engine.mesh.test.ts previews with the pack on the engine).
    const resources = registered.map((r) => {
      const urn = urnOf(r.type, r.name);
      return {
        type: r.type,
        name: r.name,
        inputs: r.inputs,
        urn: /::pod-to-pod:lab:Mesh(Clients|NodeProbes|EchoServers)\$/.test(urn)
          ? urn.replace("::pod-to-pod:lab:Mesh", "::pod-to-pod:lab:NodeMesh$pod-to-pod:lab:Mesh")
          : urn,
      };
    });
    for (const exemption of MESH_EXEMPTIONS) {
      expect(resources.filter((r) => resourceKey(r.urn) === exemption.resource)).toHaveLength(1);
    }
    const findings: Finding[] = await runPack(policies, resources, {});
    // Sorted: the order the resources register in depends on what waits for the image checks.
    const found = findings.map((f) => [f.policy, f.level, f.resource]).sort();
    expect(found).toEqual([
      ["pod-security-exemptions", "advisory", `${DAEMONSET}::mesh-clients-daemonset`],
      ["pod-security-exemptions", "advisory", `${DAEMONSET}::mesh-node-probes-daemonset`],
      ["pod-security-exemptions", "advisory", "kubernetes:core/v1:Pod::busybox-pod"],
    ]);
    const probes = findings.find((f) => f.resource === `${DAEMONSET}::mesh-node-probes-daemonset`);
    expect(probes?.message).toContain("may use the node's network namespace (pss-host-namespaces)");
  });
});
