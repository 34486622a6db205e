import { describe, expect, it } from "vitest";
import { CHECK_NAMES, CheckResult } from "../../../../checks/contract/types";
import {
  evaluateChecks,
  fixture,
  judged,
  sectionsOf,
  seedEndpoints,
  seedNodes,
  seedPlan,
  seedScriptOutput,
} from "../../../helpers";

function byName(results: CheckResult[]): Record<string, CheckResult> {
  return Object.fromEntries(results.map((r) => [r.name, r]));
}

describe("evaluateChecks on the walkthrough's captures", () => {
  const results = evaluateChecks(
    seedPlan,
    sectionsOf(seedScriptOutput()),
    seedNodes,
    seedEndpoints,
  );
  const checks = byName(results);

  it("passes all ten checks, in order", () => {
    expect(results.map((r) => r.name)).toEqual([...CHECK_NAMES]);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });

  it("reports ping statistics as facts", () => {
    expect(checks.ping.facts).toEqual({
      transmitted: 4,
      received: 4,
      lossPercent: 0,
      rttMinMs: 0.131,
      rttAvgMs: 0.31,
      rttMaxMs: 0.806,
    });
  });

  it("reports eth0's MTU and host-side veth index", () => {
    expect(checks["pod-interface"].facts).toMatchObject({
      mtu: 1450,
      hostVethIndex: 16,
      address: "10.42.0.5/24",
    });
    expect(checks["pod-interface"].detail).toBe(
      "eth0@if16 carries 10.42.0.5/24, mtu 1450, host-side veth index 16",
    );
  });

  it("finds the gateway and the pod subnet", () => {
    expect(checks["pod-routes"].facts).toEqual({ gateway: "10.42.0.1", podSubnet: "10.42.0.0/24" });
  });

  it("places both pods in the node's pod CIDR, on one node", () => {
    expect(checks["pod-cidr"].detail).toBe(
      "nginx 10.42.0.7 in vagrant's 10.42.0.0/24; busybox 10.42.0.5 in vagrant's 10.42.0.0/24; the IPs differ; on one node, vagrant, through its bridge",
    );
    expect(checks["pod-cidr"].facts).toMatchObject({ crossNode: false, serverNode: "vagrant" });
  });
});

describe("evaluateChecks with the pods on two nodes, as in the walkthrough's second document", () => {
  const plan = {
    ...seedPlan,
    serverPodIp: "10.244.2.15",
    serverNode: "worker-node-2",
    clientPodIp: "10.244.1.10",
    clientNode: "worker-node-1",
  };
  const nodes = new Map([
    [
      "worker-node-1",
      { podCidrs: ["10.244.1.0/24"], internalIp: "192.168.56.11", overlay: "flannel vxlan" },
    ],
    [
      "worker-node-2",
      { podCidrs: ["10.244.2.0/24"], internalIp: "192.168.56.12", overlay: "flannel vxlan" },
    ],
  ]);
  const output = seedScriptOutput({
    "gateway-ping": { rc: 0, output: fixture("seeds/ping.txt") },
  });
  const checks = byName(evaluateChecks(plan, sectionsOf(output), nodes, seedEndpoints));

  it("shows the path between the nodes: each pod's node and pod CIDR, the node IP, the overlay", () => {
    expect(checks["pod-cidr"].ok).toBe(true);
    expect(checks["pod-cidr"].detail).toBe(
      "nginx 10.244.2.15 in worker-node-2's 10.244.2.0/24; busybox 10.244.1.10 in worker-node-1's 10.244.1.0/24; the IPs differ; across nodes: worker-node-1 → worker-node-2 (192.168.56.12) over flannel vxlan",
    );
    expect(checks["pod-cidr"].facts).toEqual({
      crossNode: true,
      serverNode: "worker-node-2",
      clientNode: "worker-node-1",
      serverPodCidr: "10.244.2.0/24",
      clientPodCidr: "10.244.1.0/24",
      serverNodeIp: "192.168.56.12",
      overlay: "flannel vxlan",
    });
  });

  it("records that the client's own node answered", () => {
    expect(checks["pod-routes"].facts).toMatchObject({ gatewayAnswers: true });
  });
});

describe("evaluateChecks on failures", () => {
  it("fails ping on 100% loss", () => {
    const output = seedScriptOutput({ ping: { rc: 1, output: fixture("busybox/ping-loss.txt") } });
    const ping = byName(
      evaluateChecks(seedPlan, sectionsOf(output), seedNodes, seedEndpoints),
    ).ping;
    expect(ping.ok).toBe(false);
    expect(ping.detail).toBe("2 transmitted, 0 received, 100% loss to 10.42.0.7");
  });

  it("fails ping when fewer packets came back than asked, even with 0% loss", () => {
    const partial = fixture("seeds/ping.txt").replace(
      "4 packets transmitted, 4 packets received",
      "3 packets transmitted, 3 packets received",
    );
    const ping = byName(
      evaluateChecks(
        seedPlan,
        sectionsOf(seedScriptOutput({ ping: { rc: 0, output: partial } })),
        seedNodes,
        seedEndpoints,
      ),
    ).ping;
    expect(ping.ok).toBe(false);
  });

  it("fails dns when the name resolves elsewhere", () => {
    const checks = byName(
      evaluateChecks(
        { ...seedPlan, serviceClusterIp: "10.43.0.99" },
        sectionsOf(seedScriptOutput()),
        seedNodes,
        seedEndpoints,
      ),
    );
    expect(checks.dns.ok).toBe(false);
    expect(checks.dns.detail).toContain("resolves to 10.43.12.34, not the ClusterIP 10.43.0.99");
  });

  it("fails dns with the evidence of the wait for the Service: CoreDNS answered NXDOMAIN throughout", () => {
    const waited =
      "name resolves: no; http://nginx-service:80/ serves: no; DNS answered NXDOMAIN: CoreDNS does not know the name";
    const output = seedScriptOutput({
      "service-ready": { rc: 1, output: waited },
      dns: { rc: 1, output: fixture("busybox/nslookup-nxdomain.txt") },
    }).replace(/(service-ready rc=1 ms=)\d+/, "$140123");
    const dns = byName(evaluateChecks(seedPlan, sectionsOf(output), seedNodes, seedEndpoints)).dns;
    expect(dns.ok).toBe(false);
    expect(dns.detail).toContain(`; waited 40.1 s for the Service first (${waited})`);
    // A name that resolves says nothing of the wait.
    const healthy = byName(
      evaluateChecks(
        seedPlan,
        sectionsOf(seedScriptOutput({ "service-ready": { rc: 0, output: "name resolves: yes" } })),
        seedNodes,
        seedEndpoints,
      ),
    ).dns;
    expect(healthy.detail).not.toContain("waited");
  });

  it("fails pod-interface when eth0 lacks the pod IP", () => {
    const checks = byName(
      evaluateChecks(
        { ...seedPlan, clientPodIp: "10.42.0.9" },
        sectionsOf(seedScriptOutput()),
        seedNodes,
        seedEndpoints,
      ),
    );
    expect(checks["pod-interface"].ok).toBe(false);
    expect(checks["pod-interface"].detail).toContain("the pod IP 10.42.0.9 is missing");
  });

  it("fails pod-routes without a default route", () => {
    const output = seedScriptOutput({
      "ip-route": { rc: 0, output: "10.42.0.0/24 dev eth0 scope link  src 10.42.0.5\n" },
    });
    const routes = byName(evaluateChecks(seedPlan, sectionsOf(output), seedNodes, seedEndpoints))[
      "pod-routes"
    ];
    expect(routes.ok).toBe(false);
    expect(routes.detail).toMatch(/^no default route/);
  });

  it("fails pod-cidr for an IP outside the node's range, for equal IPs, and for unreadable nodes", () => {
    const sections = sectionsOf(seedScriptOutput());
    expect(
      byName(
        evaluateChecks(
          seedPlan,
          sections,
          new Map([["vagrant", { podCidrs: ["10.42.1.0/24"] }]]),
          seedEndpoints,
        ),
      )["pod-cidr"].detail,
    ).toContain("nginx IP 10.42.0.7 is outside node vagrant's pod CIDR 10.42.1.0/24");
    expect(
      byName(
        evaluateChecks(
          { ...seedPlan, serverPodIp: "10.42.0.5" },
          sections,
          seedNodes,
          seedEndpoints,
        ),
      )["pod-cidr"].detail,
    ).toContain("both pods have the IP 10.42.0.5");
    expect(
      byName(evaluateChecks(seedPlan, sections, new Error("forbidden"), seedEndpoints))["pod-cidr"],
    ).toMatchObject({ ok: false, detail: "could not read the nodes' pod CIDRs: forbidden" });
  });

  it("says when a probe passed only on a retry, and how often a failing one was tried", () => {
    const passedLate = sectionsOf(seedScriptOutput()).get("pod-ip-http");
    const sections = new Map(sectionsOf(seedScriptOutput()));
    sections.set("pod-ip-http", { ...passedLate!, tries: 2 });
    sections.set("service-clusterip-http", {
      rc: 1,
      ms: 2000,
      tries: 3,
      output: fixture("busybox/wget-refused.txt"),
    });
    const checks = byName(evaluateChecks(seedPlan, sections, seedNodes, seedEndpoints));
    expect(checks["pod-ip-http"]).toMatchObject({ ok: true, facts: { tries: 2 } });
    expect(checks["pod-ip-http"].detail).toMatch(/\(passed on try 2\), answered by nginx-server/);
    expect(checks["service-clusterip-http"].detail).toMatch(/\(3 tries\)$/);
  });

  it("fails every in-pod check whose probe printed nothing", () => {
    const results = evaluateChecks(seedPlan, new Map(), seedNodes, seedEndpoints);
    expect(results.filter((r) => r.ok).map((r) => r.name)).toEqual(["pod-cidr"]);
  });

  it("reads a real run with DNS down (CoreDNS scaled to zero on the local k3s): names fail, IPs pass", () => {
    // The capture's own lab: its pods, its Service, its endpoint and its node.
    const uid = "3c7319bb-5b66-40ec-b6f1-993f64415afc";
    const plan = {
      ...seedPlan,
      namespace: "p2p-manual",
      serverPodUid: uid,
      serverPodIp: "10.42.1.15",
      clientPodIp: "10.42.1.13",
      serverNode: "p2p-node2",
      clientNode: "p2p-node2",
      serviceClusterIp: "10.43.95.251",
      timeoutSeconds: 2,
    };
    const checks = byName(
      evaluateChecks(
        plan,
        sectionsOf(fixture("busybox/script-dns-broken.txt")),
        new Map([["p2p-node2", { podCidrs: ["10.42.1.0/24"] }]]),
        [{ ip: "10.42.1.15", podName: "nginx-server", podUid: uid, ready: true }],
      ),
    );
    expect(checks["pod-ip-http"].ok).toBe(true);
    expect(checks["pod-ip-http"].detail).toContain("answered by nginx-server (uid 3c7319bb)");
    expect(checks["service-clusterip-http"].ok).toBe(true);
    expect(checks["service-dns-http"]).toMatchObject({ ok: false, facts: { failure: "timeout" } });
    expect(checks["service-fqdn-http"]).toMatchObject({ ok: false, facts: { failure: "timeout" } });
    expect(checks["service-fqdn-http"].ms).toBeGreaterThanOrEqual(2000);
    expect(checks.dns.ok).toBe(false);
    expect(checks.dns.detail).toContain("waited 4.2 s for the Service first");
    expect(checks.ping.ok).toBe(true);
    expect(
      judged(Object.values(checks), { checkedAt: "x", runnerVersion: "y" }).diagnosis?.layer,
    ).toBe("dns");
  });
});
