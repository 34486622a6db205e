import * as fs from "node:fs";
import * as path from "node:path";
import { NodePodCidrs } from "../checks/evaluate";
import { CheckPlan } from "../checks/types";

/** Reads a file under test/fixtures. */
export function fixture(relative: string): string {
  return fs.readFileSync(path.join(__dirname, "fixtures", relative), "utf8");
}

/** The walkthrough's lab, as its captures show it: nginx at 10.42.0.7, busybox at 10.42.0.5, node vagrant. */
export const seedPlan: CheckPlan = {
  namespace: "pod-to-pod",
  serverPod: "nginx-server",
  clientPod: "busybox-client",
  clientContainer: "busybox",
  serviceName: "nginx-service",
  serverPodIp: "10.42.0.7",
  clientPodIp: "10.42.0.5",
  serverNode: "vagrant",
  clientNode: "vagrant",
  serviceClusterIp: "10.43.12.34",
  servicePort: 80,
  serverPort: 80,
  clusterDomain: "cluster.local",
  pingCount: 4,
  timeoutSeconds: 5,
};

/** Builds the runner's raw output from per-probe outputs, as the pod script prints it. */
export function scriptOutput(
  sections: Record<string, { rc: number; output: string; ms?: number }>,
): string {
  return Object.entries(sections)
    .map(([name, s]) => `@@pod-to-pod-section ${name} rc=${s.rc} ms=${s.ms ?? 1}\n${s.output}`)
    .join("\n");
}

/** The walkthrough's own captures, arranged as one healthy run of the pod script. */
export function seedScriptOutput(
  overrides: Record<string, { rc: number; output: string }> = {},
): string {
  const page = { rc: 0, output: fixture("seeds/wget-pod-ip.txt") };
  return scriptOutput({
    "pod-ip-http": page,
    "service-dns-http": page,
    "service-fqdn-http": page,
    "service-clusterip-http": page,
    dns: { rc: 0, output: fixture("busybox/nslookup-ok.txt") },
    ping: { rc: 0, output: fixture("seeds/ping.txt") },
    "ip-addr": { rc: 0, output: fixture("seeds/ip-addr.txt") },
    "ip-route": { rc: 0, output: fixture("seeds/ip-route.txt") },
    ...overrides,
  });
}

/** Node pod CIDRs for the walkthrough's single node. */
export const seedNodes: NodePodCidrs = new Map([["vagrant", { podCidrs: ["10.42.0.0/24"] }]]);
