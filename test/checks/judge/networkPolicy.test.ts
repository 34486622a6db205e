import { describe, expect, it } from "vitest";
import { ingressVerdict, selects } from "../../../checks/judge/networkPolicy";
import { ApiObject as NetworkPolicyJson } from "../../../checks/probe/cluster";

const nginx = { name: "nginx-server", labels: { app: "nginx", tier: "web" }, ip: "10.42.0.7" };
const client = { name: "busybox-client", labels: { app: "busybox" }, ip: "10.42.1.5" };
const stranger = { name: "stranger-client", labels: { app: "stranger" }, ip: "10.42.1.6" };
const http = { number: 80, name: "http" };

const defaultDeny: NetworkPolicyJson = {
  metadata: { name: "deny" },
  spec: { podSelector: {}, policyTypes: ["Ingress"] },
};
const allow = (rule: NonNullable<NetworkPolicyJson["spec"]>["ingress"]): NetworkPolicyJson => ({
  metadata: { name: "allow" },
  spec: { podSelector: { matchLabels: { app: "nginx" } }, policyTypes: ["Ingress"], ingress: rule },
});

describe("selects", () => {
  it.each([
    [{}, true],
    [{ matchLabels: { app: "nginx" } }, true],
    [{ matchLabels: { app: "nginx", tier: "db" } }, false],
    [{ matchExpressions: [{ key: "tier", operator: "In", values: ["web", "api"] }] }, true],
    [{ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["web"] }] }, false],
    [{ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, true],
    [{ matchExpressions: [{ key: "app", operator: "Exists" }] }, true],
    [{ matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, false],
    [{ matchExpressions: [{ key: "app", operator: "Sometimes" }] }, false],
  ])("%j selects nginx: %s", (selector, expected) => {
    expect(selects(selector, nginx.labels)).toBe(expected);
  });
});

describe("ingressVerdict", () => {
  it("lets everyone in where no policy selects the pod", () => {
    expect(ingressVerdict([], nginx, stranger, http)).toEqual({
      isolatedBy: [],
      allowedBy: [],
      allowed: true,
    });
  });

  it("isolates with a default deny and lets in only whom a rule names", () => {
    const policies = [
      defaultDeny,
      allow([{ from: [{ podSelector: { matchLabels: { app: "busybox" } } }] }]),
    ];
    expect(ingressVerdict(policies, nginx, client, http)).toEqual({
      isolatedBy: ["deny", "allow"],
      allowedBy: ["allow"],
      allowed: true,
    });
    expect(ingressVerdict(policies, nginx, stranger, http)).toMatchObject({
      allowed: false,
      allowedBy: [],
    });
  });

  it("reads ports: by number, by the container port's name, and only TCP for HTTP", () => {
    const from = [{ podSelector: { matchLabels: { app: "busybox" } } }];
    expect(
      ingressVerdict([allow([{ from, ports: [{ port: 80 }] }])], nginx, client, http).allowed,
    ).toBe(true);
    expect(
      ingressVerdict([allow([{ from, ports: [{ port: "http" }] }])], nginx, client, http).allowed,
    ).toBe(true);
    expect(
      ingressVerdict([allow([{ from, ports: [{ port: 8080 }] }])], nginx, client, http).allowed,
    ).toBe(false);
    expect(
      ingressVerdict(
        [allow([{ from, ports: [{ port: 80, protocol: "UDP" }] }])],
        nginx,
        client,
        http,
      ).allowed,
    ).toBe(false);
  });

  it("reads ipBlocks with their exceptions, and an empty from as everyone", () => {
    expect(
      ingressVerdict(
        [allow([{ from: [{ ipBlock: { cidr: "10.42.1.0/24" } }] }])],
        nginx,
        client,
        http,
      ).allowed,
    ).toBe(true);
    expect(
      ingressVerdict(
        [allow([{ from: [{ ipBlock: { cidr: "10.42.1.0/24", except: ["10.42.1.5/32"] } }] }])],
        nginx,
        client,
        http,
      ).allowed,
    ).toBe(false);
    expect(ingressVerdict([allow([{}])], nginx, stranger, http).allowed).toBe(true);
  });

  it("counts a namespaceSelector only when it selects every namespace", () => {
    const podSelector = { matchLabels: { app: "busybox" } };
    expect(
      ingressVerdict(
        [allow([{ from: [{ namespaceSelector: {}, podSelector }] }])],
        nginx,
        client,
        http,
      ).allowed,
    ).toBe(true);
    expect(
      ingressVerdict(
        [allow([{ from: [{ namespaceSelector: { matchLabels: { team: "x" } }, podSelector }] }])],
        nginx,
        client,
        http,
      ).allowed,
    ).toBe(false);
  });

  it("ignores egress-only policies", () => {
    const egress: NetworkPolicyJson = {
      metadata: { name: "egress" },
      spec: { podSelector: {}, policyTypes: ["Egress"] },
    };
    expect(ingressVerdict([egress], nginx, stranger, http)).toMatchObject({
      isolatedBy: [],
      allowed: true,
    });
  });
});
