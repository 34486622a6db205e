import { toVerification } from "../../checks/contract/verification";
import { CheckName, CheckResult, Diagnosis, Verification } from "../../checks/contract/types";

// Verdicts as the runner writes them for the default lab (the pair and the stranger), each parsed
// by the verification's schema, so a fixture cannot drift from the contract: the renderers' and
// the workflow reports' tests read them.

const CHECKS: readonly CheckResult[] = [
  {
    name: "pod-ip-http",
    ok: true,
    detail: '"Welcome to nginx!" from 10.42.0.7:80, answered by nginx-server (uid 6f1e2d3c)',
    ms: 12,
    facts: { tries: 1, answeredBy: "nginx-server" },
  },
  {
    name: "service-dns-http",
    ok: true,
    detail:
      '"Welcome to nginx!" from nginx-service:80, answered by nginx-server (uid 6f1e2d3c) at 10.42.0.7, an endpoint of nginx-service',
    ms: 9,
  },
  {
    name: "service-fqdn-http",
    ok: true,
    detail:
      '"Welcome to nginx!" from nginx-service.pod-to-pod.svc.cluster.local:80, answered by nginx-server (uid 6f1e2d3c) at 10.42.0.7, an endpoint of nginx-service',
    ms: 8,
  },
  {
    name: "service-clusterip-http",
    ok: true,
    detail:
      '"Welcome to nginx!" from 10.43.12.34:80, answered by nginx-server (uid 6f1e2d3c) at 10.42.0.7, an endpoint of nginx-service',
    ms: 7,
  },
  {
    name: "dns",
    ok: true,
    detail:
      "nginx-service.pod-to-pod.svc.cluster.local resolves to 10.43.12.34 (server 10.43.0.10)",
    ms: 5,
    facts: { server: "10.43.0.10", addresses: "10.43.12.34", tries: 1 },
  },
  {
    name: "ping",
    ok: true,
    detail: "4 transmitted, 4 received, 0% loss to 10.42.0.7, rtt min/avg/max 0.131/0.31/0.806 ms",
    ms: 3012,
  },
  {
    name: "pod-interface",
    ok: true,
    detail: "eth0@if16 carries 10.42.0.5/24, mtu 1450, host-side veth index 16",
    ms: 2,
    facts: { mtu: 1450, hostVethIndex: 16, address: "10.42.0.5/24" },
  },
  {
    name: "pod-routes",
    ok: true,
    detail: "default via 10.42.0.1 dev eth0; pod subnet 10.42.0.0/24 on eth0",
    ms: 1,
  },
  {
    name: "pod-cidr",
    ok: true,
    detail:
      "nginx 10.42.1.7 in p2p-node2's 10.42.1.0/24; busybox 10.42.0.5 in vm's 10.42.0.0/24; across nodes, vm → p2p-node2",
    ms: 0,
    facts: { crossNode: true, serverNode: "p2p-node2", clientNode: "vm" },
  },
  {
    name: "path-mtu",
    ok: true,
    detail:
      "65536 bytes from 10.42.0.7:80 in 1 ms and 1450-byte pings answered: the path carries full-size packets",
    ms: 40,
  },
  {
    name: "policy-allows-client",
    ok: true,
    detail:
      "nginx-server is isolated by pod-to-pod-default-deny, nginx-allow-client; busybox-client is let in on port 80 by nginx-allow-client",
    ms: 0,
  },
  {
    name: "stranger-to-pod-ip",
    ok: true,
    detail: "denied as expected after 2003 ms (dropped: no answer from 10.42.0.7:80 in 2 s)",
    ms: 2003,
    facts: { got: "dropped" },
  },
  {
    name: "stranger-to-service",
    ok: true,
    detail: "denied as expected after 2004 ms (dropped: no answer from 10.43.12.34:80 in 2 s)",
    ms: 2004,
    facts: { got: "dropped" },
  },
  {
    name: "stranger-dns",
    ok: true,
    detail:
      "stranger-client resolves nginx-service to 10.43.12.34 at CoreDNS, which no policy of the lab covers",
    ms: 6,
  },
];

/** The verdict with the named checks failed as given, counted again and diagnosed. */
function verdict(
  failures: Partial<Record<CheckName, string>>,
  diagnosis?: Diagnosis,
): Verification {
  const checks = CHECKS.map((check) => {
    const detail = failures[check.name];
    return detail === undefined ? check : { ...check, ok: false, detail };
  });
  const passed = checks.filter((c) => c.ok).length;
  return toVerification({
    schemaVersion: 2,
    checkedAt: "2026-12-04T12:30:05.123Z",
    runnerVersion: "0.1.0+3f2a9c1d",
    passed,
    failed: checks.length - passed,
    checks,
    ...(diagnosis ? { diagnosis } : {}),
  });
}

/** Every check of an isolated two-node lab passed: 14 passed, 0 failed. */
export const healthy = verdict({});

/** Full-size packets lost between the nodes: 13 passed, 1 failed, the layer `mtu`. */
export const mtuBlackHole = verdict(
  {
    "path-mtu":
      "small packets pass but 65536 bytes from 10.42.0.7:80 did not arrive in 5 s, and no 1450-byte ping was answered",
  },
  {
    layer: "mtu",
    summary:
      "Small packets pass and full-size ones do not: an MTU black hole on the path vm → p2p-node2.",
    evidence: [
      "path-mtu: small packets pass but 65536 bytes from 10.42.0.7:80 did not arrive in 5 s, and no 1450-byte ping was answered",
    ],
  },
);

/** CoreDNS scaled to 0: every name fails, the IPs still answer; 10 passed, 4 failed. */
export const dnsDown = verdict(
  {
    dns: "nslookup nginx-service.pod-to-pod.svc.cluster.local: connection timed out; no servers could be reached",
    "service-dns-http": "wget: bad address 'nginx-service:80'",
    "service-fqdn-http": "wget: bad address 'nginx-service.pod-to-pod.svc.cluster.local:80'",
    "stranger-dns":
      "stranger-client cannot resolve nginx-service: connection timed out; no servers could be reached",
  },
  {
    layer: "dns",
    summary:
      "Names do not resolve, while the Service answers by its ClusterIP: cluster DNS is down.",
    evidence: [
      "dns: nslookup nginx-service.pod-to-pod.svc.cluster.local: connection timed out; no servers could be reached",
    ],
  },
);
