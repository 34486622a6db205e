import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { toVerification } from "../../../checks/contract/verification";
import { Verification } from "../../../checks/contract/types";
import { renderMeshMermaid } from "../../../checks/report/meshRender";
import { meshReportText, renderReport, REPORT_WIDTH, wrap } from "../../../checks/report/report";

/** The real captures the docs show (test/fixtures/docs/README.md says how each was made). */
const CAPTURES = ["pass", "fail", "mesh"] as const;

function capture(name: (typeof CAPTURES)[number]): Verification {
  const file = path.join(__dirname, "../..", "fixtures", "docs", `verification-${name}.json`);
  return toVerification(JSON.parse(fs.readFileSync(file, "utf8")), file);
}

function detailOf(verification: Verification, name: string): string {
  const check = verification.checks.find((c) => c.name === name);
  if (check === undefined) {
    throw new Error(`no check ${name} in the capture`);
  }
  return check.detail;
}

describe("wrap", () => {
  it("breaks a real check's detail at spaces, each line within the width and under its indent", () => {
    expect(wrap(detailOf(capture("pass"), "pod-ip-http"), "        ")).toEqual([
      '        "Welcome to nginx!" from 10.42.1.249:80, answered by nginx-server (uid 6682c787);',
      "        nginx-server logged it from 10.42.1.248 (GET 10.42.1.249:80/pod-to-pod/identity, status",
      "        200); nginx-server logged it from 10.42.1.248 (GET 10.42.1.249:80/pod-to-pod/large, status",
      "        200)",
    ]);
  });

  it("hangs the lines after the first under their own indent", () => {
    expect(
      wrap(
        "service-fqdn-http: no answer from nginx-service.p2p-readme.svc.cluster.local:80 before the timeout (3 tries)",
        "  - ",
        "    ",
      ),
    ).toEqual([
      "  - service-fqdn-http: no answer from nginx-service.p2p-readme.svc.cluster.local:80 before the",
      "    timeout (3 tries)",
    ]);
  });

  it("leaves a line that fits as it is, its runs of spaces too", () => {
    expect(wrap("p2p-node2    pass 40 ms   pass 130 ms", "    ")).toEqual([
      "    p2p-node2    pass 40 ms   pass 130 ms",
    ]);
  });

  it("breaks exactly at the width: a line of `width` characters stays, one more breaks", () => {
    const word = "x".repeat(9);
    const text = Array.from({ length: 10 }, () => word).join(" "); // 99 characters
    expect(wrap(text, "", "", 99)).toEqual([text]);
    expect(wrap(text, "", "", 98)).toEqual([text.slice(0, 89), word]);
  });

  it("keeps a word longer than a line whole, on a line of its own, rather than cut it", () => {
    const url = `http://nginx-service.${"n".repeat(63)}.svc.cluster.local:80/pod-to-pod/identity`;
    expect(url.length).toBeGreaterThan(REPORT_WIDTH);
    expect(wrap(`the identity probe of ${url} produced no output`, "        ")).toEqual([
      "        the identity probe of",
      `        ${url}`,
      "        produced no output",
    ]);
  });

  it("makes a line break or tab in the text a space, so that no line loses its indent", () => {
    expect(wrap("wget: bad address\n'nginx-service'\tafter 3 tries", "    ")).toEqual([
      "    wget: bad address 'nginx-service' after 3 tries",
    ]);
  });

  it("loses no word: the lines, joined, are the text", () => {
    for (const name of CAPTURES) {
      for (const check of capture(name).checks) {
        const lines = wrap(check.detail, "        ");
        expect(lines.map((l) => l.trim()).join(" ")).toBe(check.detail.replace(/\s+/g, " "));
      }
    }
  });
});

describe("renderReport", () => {
  it.each(CAPTURES)("keeps every line of the %s capture's report within 100 characters", (name) => {
    const lines = renderReport(capture(name)).split("\n");
    expect(lines.filter((line) => line.length > 100)).toEqual([]);
  });

  it("writes a failing capture as its checks, each detail under its check, then the diagnosis", () => {
    expect(renderReport(capture("fail")).split("\n")).toEqual([
      "pod-to-pod network verification (10 passed, 4 failed)",
      "checked at 2026-12-04T21:56:43.979Z by runner 0.1.0+859fe16aed0c",
      "  PASS  pod-ip-http                10 ms",
      '        "Welcome to nginx!" from 10.42.1.249:80, answered by nginx-server (uid 6682c787);',
      "        nginx-server logged it from 10.42.1.248 (GET 10.42.1.249:80/pod-to-pod/identity, status",
      "        200); nginx-server logged it from 10.42.1.248 (GET 10.42.1.249:80/pod-to-pod/large, status",
      "        200)",
      "  FAIL  service-dns-http        17010 ms",
      "        no answer from nginx-service:80 before the timeout (3 tries)",
      "  FAIL  service-fqdn-http       17010 ms",
      "        no answer from nginx-service.p2p-readme.svc.cluster.local:80 before the timeout (3 tries)",
      "  FAIL  service-clusterip-http  17010 ms",
      "        no answer from 10.43.232.121:80 before the timeout (3 tries)",
      "  PASS  dns                         0 ms",
      "        nginx-service.p2p-readme.svc.cluster.local resolves to 10.43.232.121 (server 10.43.0.10)",
      "  PASS  ping                       10 ms",
      "        4 transmitted, 4 received, 0% loss to 10.42.1.249, rtt min/avg/max 0.012/0.024/0.058 ms",
      "  PASS  pod-interface               0 ms",
      "        eth0@if251 carries 10.42.1.248/24, mtu 1450, host-side veth index 251",
      "  PASS  pod-routes                 10 ms",
      "        default via 10.42.1.1 dev eth0; pod subnet 10.42.1.0/24 on eth0",
      "  PASS  pod-cidr                    0 ms",
      "        nginx 10.42.1.249 in p2p-node2's 10.42.1.0/24; busybox 10.42.1.248 in p2p-node2's",
      "        10.42.1.0/24; the IPs differ; on one node, p2p-node2, through its bridge",
      "  PASS  path-mtu                    0 ms",
      "        65536 bytes from 10.42.1.249:80 in 0 ms and 1450-byte pings answered: the path carries",
      "        full-size packets",
      "  PASS  policy-allows-client        0 ms",
      "        nginx-server is isolated by nginx-allow-client, pod-to-pod-default-deny; busybox-client is",
      "        let in on port 80 by nginx-allow-client",
      "  PASS  stranger-to-pod-ip        300 ms",
      "        denied as expected after 300 ms (dropped: no answer from 10.42.1.249:80 within its bound of",
      "        300 ms); no server logged the stranger's request: none arrived",
      "  FAIL  stranger-to-service       300 ms",
      "        10.43.232.121:80 did not answer stranger-client, but nginx-service has no ready endpoint:",
      "        the refusal proves nothing of the policies; no server logged the stranger's request: none",
      "        arrived",
      "  PASS  stranger-dns               10 ms",
      "        stranger-client resolves nginx-service to 10.43.232.121 at CoreDNS, which no policy of the",
      "        lab covers",
      "",
      "Broken layer: service",
      "  The pod IP works but the Service's ClusterIP does not: check the Service's selector, targetPort",
      "  and endpoints, and kube-proxy.",
      "  - service-dns-http: no answer from nginx-service:80 before the timeout (3 tries)",
      "  - service-fqdn-http: no answer from nginx-service.p2p-readme.svc.cluster.local:80 before the",
      "    timeout (3 tries)",
      "  - service-clusterip-http: no answer from 10.43.232.121:80 before the timeout (3 tries)",
    ]);
  });

  it("writes the mesh after the checks as renderMeshText's lines wrapped, then its Mermaid block whole", () => {
    const mesh = capture("mesh").mesh!;
    expect(meshReportText(mesh)).toEqual([
      "Every node (2 nodes): pod to pod 4/4 paths pass, node to pod 2/2",
      "  server side: 8/8 HTTP passes witnessed by the echo servers' own logs",
      "  pod to pod (client node × echo server node):",
      "    from \\ to   p2p-node2   vm",
      "    p2p-node2   pass 40 ms  pass 20 ms",
      "    vm          pass 40 ms  pass 30 ms",
      "  node to pod (node × echo server node):",
      "    from \\ to   p2p-node2   vm",
      "    p2p-node2               pass 30 ms",
      "    vm          pass 0 ms",
      "  links of p2p-node2: node link eth0 mtu 1500, flannel.1 mtu 1450, cni0 mtu 1450",
      "  links of vm: node link p2p-nodes mtu 1500 (bridge ports: p2p-node2 1500), flannel.1 mtu 1450, cni0",
      "      mtu 1450",
    ]);
    const { mesh: _, ...checksOnly } = capture("mesh");
    expect(renderReport(capture("mesh")).split("\n")).toEqual([
      ...renderReport(checksOnly).split("\n"),
      "",
      ...meshReportText(mesh),
      "",
      ...renderMeshMermaid(mesh),
    ]);
  });

  it("keeps a Mermaid statement whole even past the width: one cut in two is no Mermaid", () => {
    const verification = capture("mesh");
    const long = `node-${"a".repeat(100)}`;
    const mesh = { ...verification.mesh!, nodes: [verification.mesh!.nodes[0], long] };
    const report = renderReport({ ...verification, mesh }).split("\n");
    expect(`  n1["${long}"]`.length).toBeGreaterThan(REPORT_WIDTH);
    expect(report).toContain(`  n1["${long}"]`);
  });
});
