import { describe, expect, it } from "vitest";
import {
  namespaceDefaultDeny,
  networkPolicyTargets,
  podNetworkPolicy,
  selects,
  StackValidationPolicy,
} from "../../policy/policies";
import {
  busyboxPod,
  goodPod,
  inDeployment,
  policyResource,
  runStackPolicy,
  typeToken,
  TYPES,
} from "./harness";
import * as k8s from "@pulumi/kubernetes";

// The three NetworkPolicy rules over small stacks: the lab's two pods in pod-to-pod and whatever
// NetworkPolicies and Namespaces a case adds. Each case lists what each rule reports, as
// `resource: message up to what it accepts`, so a rule that reports too much fails as surely as one
// that misses.

const NETWORK_POLICY = typeToken(k8s.networking.v1.NetworkPolicy);

interface Resource {
  readonly type: string;
  readonly name: string;
  readonly props: object;
}

const nginx: Resource = { type: TYPES.pod, name: "nginx-pod", props: goodPod() };
const busybox: Resource = { type: TYPES.pod, name: "busybox-pod", props: busyboxPod() };
const labNamespace: Resource = {
  type: TYPES.namespace,
  name: "lab-namespace",
  props: { metadata: { name: "pod-to-pod" } },
};

/** A NetworkPolicy of the stack, in pod-to-pod unless said otherwise. */
function networkPolicy(
  name: string,
  spec: object,
  namespace: string | undefined = "pod-to-pod",
): Resource {
  return { type: NETWORK_POLICY, name, props: { metadata: { name, namespace }, spec } };
}

/** The lead's lab: deny all ingress to the lab's pods, then let the client reach nginx. */
const defaultDeny = networkPolicy("default-deny", { podSelector: {}, policyTypes: ["Ingress"] });
const allowNginx = networkPolicy("allow-nginx-from-client", {
  podSelector: { matchLabels: { app: "nginx" } },
  policyTypes: ["Ingress"],
  ingress: [{ from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "busybox" } } }] }],
});

const RULES: Record<string, StackValidationPolicy> = {
  "pod-networkpolicy": podNetworkPolicy,
  "networkpolicy-targets-pod": networkPolicyTargets,
  "namespace-default-deny": namespaceDefaultDeny,
};

interface Case {
  readonly name: string;
  readonly resources: readonly Resource[];
  /** `resource: message up to "; accepted"` per rule; a rule not listed reports nothing. */
  readonly expected: Partial<Record<keyof typeof RULES, readonly string[]>>;
}

const CASES: Case[] = [
  {
    name: "the lab with default-deny and the nginx allow",
    resources: [labNamespace, nginx, busybox, defaultDeny, allowNginx],
    expected: {},
  },
  {
    name: "the lab with no NetworkPolicy",
    resources: [labNamespace, nginx, busybox],
    expected: {
      "pod-networkpolicy": [
        "nginx-pod: Pod nginx-server {app=nginx, app.kubernetes.io/name=nginx, app.kubernetes.io/part-of=pod-to-pod} in namespace pod-to-pod is selected by no NetworkPolicy of the stack, so any pod may reach it",
        "busybox-pod: Pod busybox-client {app.kubernetes.io/name=busybox, app.kubernetes.io/part-of=pod-to-pod} in namespace pod-to-pod is selected by no NetworkPolicy of the stack, so any pod may reach it",
      ],
      "namespace-default-deny": [
        "lab-namespace: Namespace pod-to-pod has no default-deny ingress NetworkPolicy of the stack, so a pod added there without a policy of its own accepts traffic from any pod",
      ],
    },
  },
  {
    name: "only the nginx allow: busybox unselected, no default-deny",
    resources: [labNamespace, nginx, busybox, allowNginx],
    expected: {
      "pod-networkpolicy": [
        "busybox-pod: Pod busybox-client {app.kubernetes.io/name=busybox, app.kubernetes.io/part-of=pod-to-pod} in namespace pod-to-pod is selected by no NetworkPolicy of the stack, so any pod may reach it",
      ],
      "namespace-default-deny": [
        "lab-namespace: Namespace pod-to-pod has no default-deny ingress NetworkPolicy of the stack, so a pod added there without a policy of its own accepts traffic from any pod",
      ],
    },
  },
  {
    name: "an allow whose selector has a typo",
    resources: [
      labNamespace,
      nginx,
      busybox,
      defaultDeny,
      networkPolicy("allow-typo", { podSelector: { matchLabels: { app: "ngnix" } } }),
    ],
    expected: {
      "networkpolicy-targets-pod": [
        "allow-typo: NetworkPolicy allow-typo selects {app=ngnix} in namespace pod-to-pod, which no Pod of the stack matches",
      ],
    },
  },
  {
    name: "the policies in another namespace than the pods",
    resources: [
      labNamespace,
      nginx,
      busybox,
      networkPolicy("default-deny", { podSelector: {}, policyTypes: ["Ingress"] }, "elsewhere"),
    ],
    expected: {
      "pod-networkpolicy": [
        "nginx-pod: Pod nginx-server {app=nginx, app.kubernetes.io/name=nginx, app.kubernetes.io/part-of=pod-to-pod} in namespace pod-to-pod is selected by no NetworkPolicy of the stack, so any pod may reach it",
        "busybox-pod: Pod busybox-client {app.kubernetes.io/name=busybox, app.kubernetes.io/part-of=pod-to-pod} in namespace pod-to-pod is selected by no NetworkPolicy of the stack, so any pod may reach it",
      ],
      "networkpolicy-targets-pod": [
        "default-deny: NetworkPolicy default-deny selects {} in namespace elsewhere, which no Pod of the stack matches",
      ],
      "namespace-default-deny": [
        "lab-namespace: Namespace pod-to-pod has no default-deny ingress NetworkPolicy of the stack, so a pod added there without a policy of its own accepts traffic from any pod",
      ],
    },
  },
  {
    name: "a select-all policy that allows ingress from anywhere, so denies nothing",
    resources: [
      labNamespace,
      nginx,
      busybox,
      networkPolicy("allow-all", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{}] }),
    ],
    expected: {
      "namespace-default-deny": [
        "lab-namespace: Namespace pod-to-pod has no default-deny ingress NetworkPolicy of the stack, so a pod added there without a policy of its own accepts traffic from any pod",
      ],
    },
  },
  {
    name: "a select-all policy for egress only, which leaves ingress open",
    resources: [
      labNamespace,
      nginx,
      busybox,
      networkPolicy("deny-egress", { podSelector: {}, policyTypes: ["Egress"] }),
    ],
    expected: {
      "namespace-default-deny": [
        "lab-namespace: Namespace pod-to-pod has no default-deny ingress NetworkPolicy of the stack, so a pod added there without a policy of its own accepts traffic from any pod",
      ],
    },
  },
  {
    name: "default-deny with policyTypes unset, which Kubernetes takes as Ingress",
    resources: [labNamespace, nginx, busybox, networkPolicy("default-deny", { podSelector: {} })],
    expected: {},
  },
  {
    name: "matchExpressions selecting each pod, and a NotIn that selects neither",
    resources: [
      labNamespace,
      nginx,
      busybox,
      defaultDeny,
      networkPolicy("in", {
        podSelector: {
          matchExpressions: [
            { key: "app.kubernetes.io/name", operator: "In", values: ["nginx", "busybox"] },
          ],
        },
      }),
      networkPolicy("not-in", {
        podSelector: {
          matchExpressions: [
            { key: "app.kubernetes.io/part-of", operator: "NotIn", values: ["pod-to-pod"] },
          ],
        },
      }),
    ],
    expected: {
      "networkpolicy-targets-pod": [
        "not-in: NetworkPolicy not-in selects {app.kubernetes.io/part-of NotIn (pod-to-pod)} in namespace pod-to-pod, which no Pod of the stack matches",
      ],
    },
  },
  {
    name: "a Deployment's pod template, and pods with no namespace in default, reported stack-wide",
    resources: [
      { type: TYPES.deployment, name: "web", props: inDeployment(goodPod(), "web") },
      {
        type: TYPES.pod,
        name: "loose",
        props: goodPod((p) => {
          delete p.metadata.namespace;
          p.metadata.name = "loose";
        }),
      },
      defaultDeny,
    ],
    expected: {
      "pod-networkpolicy": [
        "loose: Pod loose {app=nginx, app.kubernetes.io/name=nginx, app.kubernetes.io/part-of=pod-to-pod} in namespace default is selected by no NetworkPolicy of the stack, so any pod may reach it",
      ],
      "namespace-default-deny": [
        "stack: Namespace default has no default-deny ingress NetworkPolicy of the stack, so a pod added there without a policy of its own accepts traffic from any pod",
      ],
    },
  },
];

/** `resource: message up to what it accepts`, the resource by Pulumi name or `stack`. */
async function reported(rule: StackValidationPolicy, resources: readonly Resource[]) {
  const found = await runStackPolicy(
    rule,
    resources.map((r) => policyResource(r.type, r.props, r.name)),
  );
  return found.map((v) => {
    expect(v.level).toBe(rule.enforcementLevel);
    expect(v.message).toMatch(/; accepted: .+\.$/);
    const at = v.urn === undefined ? "stack" : v.urn.split("::").pop();
    return `${at}: ${v.message.split("; accepted: ")[0]}`;
  });
}

describe.each(CASES)("the NetworkPolicy rules on $name", ({ resources, expected }) => {
  it.each(Object.entries(RULES))("%s", async (name, rule) => {
    expect(await reported(rule, resources)).toEqual(expected[name] ?? []);
  });
});

describe("the rules", () => {
  it("are mandatory, but the default-deny advisory", () => {
    expect(Object.values(RULES).map((r) => r.enforcementLevel)).toEqual([
      "mandatory",
      "mandatory",
      "advisory",
    ]);
  });

  it("say what would be accepted and where to look", async () => {
    const [missing] = await reported(podNetworkPolicy, [nginx, allowNginx]);
    expect(missing).toBeUndefined();
    const found = await runStackPolicy(
      podNetworkPolicy,
      [busybox, allowNginx].map((r) => policyResource(r.type, r.props, r.name)),
    );
    expect(found.map((v) => v.message.split("; accepted: ")[1])).toEqual([
      "a NetworkPolicy in pod-to-pod whose podSelector matches its labels, such as a default-deny with podSelector {} (there: NetworkPolicy allow-nginx-from-client selects {app=nginx}).",
    ]);
  });
});

describe("label selection", () => {
  const labels = { app: "nginx", tier: "web" };
  it.each([
    [{}, true],
    [{ matchLabels: { app: "nginx" } }, true],
    [{ matchLabels: { app: "nginx", tier: "db" } }, false],
    [{ matchExpressions: [{ key: "tier", operator: "In", values: ["web", "db"] }] }, true],
    [{ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["web"] }] }, false],
    [{ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, true],
    [{ matchExpressions: [{ key: "app", operator: "Exists" }] }, true],
    [{ matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, false],
    [{ matchExpressions: [{ key: "app", operator: "Gt", values: ["1"] }] }, false],
  ])("%j selects {app=nginx, tier=web}: %s", (selector, expected) => {
    expect(selects(selector, labels)).toBe(expected);
  });
});
