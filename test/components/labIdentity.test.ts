import { describe, expect, it } from "vitest";
import {
  fieldManagerOf,
  identityAnnotations,
  judgeClaims,
  LabIdentity,
  LiveObject,
  parseLiveObjects,
  refusalMessage,
  suggestedNamespace,
} from "../../components/labIdentity";

const ours: LabIdentity = { project: "pod-to-pod", stack: "dev", lab: "pod-to-pod" };
const theirs: LabIdentity = { project: "pod-to-pod", stack: "pr-12", lab: "pod-to-pod" };

function live(kind: string, name: string, metadata: Partial<LiveObject> = {}): LiveObject {
  return { kind, name, annotations: {}, labels: {}, managers: [], ...metadata };
}

describe("a lab's identity on its objects", () => {
  it("is three annotations: project, stack and lab", () => {
    expect(identityAnnotations(ours)).toEqual({
      "pod-to-pod/project": "pod-to-pod",
      "pod-to-pod/stack": "dev",
      "pod-to-pod/lab": "pod-to-pod",
    });
  });
});

describe("the field manager a lab writes as", () => {
  it("is named after the project, the stack and the lab, so a conflict names the owner", () => {
    expect(fieldManagerOf(ours)).toBe("pod-to-pod/pod-to-pod/dev/pod-to-pod");
  });

  it("stays within the API server's 128 characters, unique to the identity, for long names", () => {
    const long = { ...ours, stack: "s".repeat(100) };
    const other = { ...ours, stack: `${"s".repeat(99)}t` };
    const manager = fieldManagerOf(long);
    expect(manager).toHaveLength(128);
    expect(manager.startsWith(`pod-to-pod/pod-to-pod/${"s".repeat(60)}`)).toBe(true);
    expect(fieldManagerOf(other)).not.toBe(manager);
  });
});

describe("judging what already exists under the lab's names", () => {
  it("lets this lab's own objects through: its leftovers are adopted", () => {
    const verdict = judgeClaims(
      ours,
      [
        live("namespace", "pod-to-pod", { annotations: identityAnnotations(ours) }),
        live("pod", "nginx-server", { annotations: identityAnnotations(ours) }),
      ],
      "pod-to-pod",
      true,
    );
    expect(verdict).toEqual({ refusals: [], unnamed: [] });
  });

  it("refuses another stack's namespace and objects, naming the owner", () => {
    const verdict = judgeClaims(
      ours,
      [
        live("namespace", "pod-to-pod", { annotations: identityAnnotations(theirs) }),
        live("service", "nginx-service", { annotations: identityAnnotations(theirs) }),
      ],
      "pod-to-pod",
      true,
    );
    expect(verdict.refusals).toEqual([
      'namespace pod-to-pod belongs to lab "pod-to-pod" of stack "pr-12" (project pod-to-pod)',
      'service pod-to-pod/nginx-service belongs to lab "pod-to-pod" of stack "pr-12" (project pod-to-pod)',
    ]);
  });

  it("tells another lab of the same stack apart by its name", () => {
    const other = { ...ours, lab: "edge" };
    const verdict = judgeClaims(
      ours,
      [live("pod", "nginx-server", { annotations: identityAnnotations(other) })],
      "shared",
      false,
    );
    expect(verdict.refusals).toEqual([
      'pod shared/nginx-server belongs to lab "edge" of stack "dev" (project pod-to-pod)',
    ]);
  });

  it("refuses an object no lab made, naming who wrote it", () => {
    const verdict = judgeClaims(
      ours,
      [live("service", "nginx-service", { managers: ["kubectl-client-side-apply"] })],
      "p2p-foreign",
      false,
    );
    expect(verdict.refusals).toEqual([
      "service p2p-foreign/nginx-service was not made by a pod-to-pod lab (written by kubectl-client-side-apply)",
    ]);
  });

  it("refuses a namespace the lab would create that someone else made, and passes over one it only uses", () => {
    const made = live("namespace", "team-a", { managers: ["kubectl-create"] });
    expect(judgeClaims(ours, [made], "team-a", true).refusals).toEqual([
      "namespace team-a was not made by a pod-to-pod lab (written by kubectl-create)",
    ]);
    expect(judgeClaims(ours, [made], "team-a", false)).toEqual({ refusals: [], unnamed: [] });
  });

  it("takes over a lab from before identities (part-of pod-to-pod, no stack), with a warning", () => {
    const verdict = judgeClaims(
      ours,
      [live("pod", "nginx-server", { labels: { "app.kubernetes.io/part-of": "pod-to-pod" } })],
      "pod-to-pod",
      true,
    );
    expect(verdict).toEqual({ refusals: [], unnamed: ["pod pod-to-pod/nginx-server"] });
  });
});

describe("the refusal", () => {
  it("names every object, its owner and the key to set, and says nothing was changed", () => {
    expect(refusalMessage(ours, "pod-to-pod", ["namespace pod-to-pod belongs to X"])).toBe(
      [
        'The lab "pod-to-pod" of stack "dev" (project pod-to-pod) cannot use namespace pod-to-pod: what it would create exists already and is not this stack\'s, and a stack adopts only objects that carry its own identity (annotations pod-to-pod/project, pod-to-pod/stack, pod-to-pod/lab):',
        "  - namespace pod-to-pod belongs to X",
        "Nothing was created or changed. Give this stack a namespace of its own: pulumi config set pod-to-pod:namespace pod-to-pod-dev",
      ].join("\n"),
    );
  });

  it("suggests a namespace from the stack's name, as a DNS label", () => {
    expect(suggestedNamespace({ ...ours, stack: "Feature_42.Preview" })).toBe(
      "pod-to-pod-feature-42-preview",
    );
    expect(suggestedNamespace({ ...ours, stack: "x".repeat(80) })).toHaveLength(63);
  });
});

describe("reading kubectl's answer", () => {
  it("reads a List's kinds, names, annotations, labels and field managers", () => {
    const json = JSON.stringify({
      kind: "List",
      items: [
        {
          kind: "NetworkPolicy",
          metadata: {
            name: "nginx-allow-client",
            annotations: { "pod-to-pod/stack": "dev" },
            labels: { app: "x" },
            managedFields: [{ manager: "pulumi-kubernetes-1" }, { manager: "pulumi-kubernetes-1" }],
          },
        },
        { kind: "Namespace", metadata: { name: "pod-to-pod" } },
      ],
    });
    expect(parseLiveObjects(json)).toEqual([
      {
        kind: "networkpolicy",
        name: "nginx-allow-client",
        annotations: { "pod-to-pod/stack": "dev" },
        labels: { app: "x" },
        managers: ["pulumi-kubernetes-1"],
      },
      { kind: "namespace", name: "pod-to-pod", annotations: {}, labels: {}, managers: [] },
    ]);
  });

  it("reads nothing from an empty answer", () => {
    expect(parseLiveObjects("")).toEqual([]);
    expect(parseLiveObjects('{"kind":"List","items":[]}')).toEqual([]);
  });
});
