import * as fs from "node:fs";
import * as path from "node:path";
import { judgePairPaths, LabNodes, pairChecks } from "../checks/scenarios/pair/checks";
import { judgeStrangerPaths, PolicyFacts, policyChecks } from "../checks/scenarios/pair/isolation";
import { ServiceEndpoint } from "../checks/probe/cluster";
import { parseScriptOutput, Section } from "../checks/probe/script";
import { CheckPlan, CheckResult, PolicyPlan, Verification } from "../checks/contract/types";
import { summarize } from "../checks/judge/verdict";
import { diagnose } from "../checks/judge/diagnose";
import { pairFindings } from "../checks/scenarios/pair";

/** Reads a file under test/fixtures. */
export function fixture(relative: string): string {
  return fs.readFileSync(path.join(__dirname, "fixtures", relative), "utf8");
}

/** The UID the seed's nginx pod answers with on the identity path. */
export const SEED_SERVER_UID = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b";

/** The Service's endpoints in the walkthrough's lab: the nginx pod alone. */
export const seedEndpoints: ServiceEndpoint[] = [
  { ip: "10.42.0.7", podName: "nginx-server", podUid: SEED_SERVER_UID, ready: true },
];

/** The marker the helpers' script output carries. */
export const TEST_NONCE = "0123456789abcdef0123456789abcdef";

/** The walkthrough's lab, as its captures show it: nginx at 10.42.0.7, busybox at 10.42.0.5, node vagrant. */
export const seedPlan: CheckPlan = {
  namespace: "pod-to-pod",
  serverPod: "nginx-server",
  serverPodUid: SEED_SERVER_UID,
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
  sections: Record<string, { rc: number; output: string; ms?: number; tries?: number }>,
  nonce = TEST_NONCE,
): string {
  return (
    Object.entries(sections)
      .map(
        ([name, s]) =>
          `${nonce} ${name} rc=${s.rc} ms=${s.ms ?? 1} tries=${s.tries ?? 1} out=${Buffer.from(s.output).toString("base64")}`,
      )
      .join("\n") + `\n${nonce} end\n`
  );
}

/** The walkthrough's own captures, arranged as one healthy run of the pod script. */
export function seedScriptOutput(
  overrides: Record<string, { rc: number; output: string }> = {},
  nonce = TEST_NONCE,
): string {
  const page = { rc: 0, output: fixture("seeds/wget-pod-ip.txt") };
  const identity = { rc: 0, output: SEED_SERVER_UID };
  return scriptOutput(
    {
      "pod-ip-http": page,
      "pod-ip-identity": identity,
      "service-dns-http": page,
      "service-dns-identity": identity,
      "service-fqdn-http": page,
      "service-fqdn-identity": identity,
      "service-clusterip-http": page,
      "service-clusterip-identity": identity,
      dns: { rc: 0, output: fixture("busybox/nslookup-ok.txt") },
      ping: { rc: 0, output: fixture("seeds/ping.txt") },
      "ip-addr": { rc: 0, output: fixture("seeds/ip-addr.txt") },
      "ip-route": { rc: 0, output: fixture("seeds/ip-route.txt") },
      // Not in the walkthrough: 64 KiB through the path (as `wc -c` prints it) and busybox
      // pinging with MTU-sized packets (a real busybox run's output).
      "large-http": { rc: 0, output: "65536" },
      "mtu-ping": { rc: 0, output: fixture("busybox/ping-mtu.txt") },
      ...overrides,
    },
    nonce,
  );
}

/** The run's marker, read out of a pod script the runner built. */
export function nonceOf(script: string): string {
  const nonce = /^nonce=([0-9a-f]{32})$/m.exec(script)?.[1];
  if (!nonce) {
    throw new Error("the script carries no nonce");
  }
  return nonce;
}

/** EndpointSlices JSON as kubectl prints it, for the given endpoints. */
export function endpointSlicesJson(
  endpoints: readonly ServiceEndpoint[],
  service = "nginx-service",
): string {
  return JSON.stringify({
    kind: "List",
    items: [
      {
        kind: "EndpointSlice",
        metadata: { labels: { "kubernetes.io/service-name": service } },
        endpoints: endpoints.map((e) => ({
          addresses: [e.ip],
          conditions: { ready: e.ready },
          ...(e.podName ? { targetRef: { kind: "Pod", name: e.podName, uid: e.podUid } } : {}),
        })),
      },
    ],
  });
}

/** Node pod CIDRs for the walkthrough's single node. */
export const seedNodes: LabNodes = new Map([["vagrant", { podCidrs: ["10.42.0.0/24"] }]]);

/** The sections of a script output the helpers built. */
export function sectionsOf(output: string): ReadonlyMap<string, Section> {
  return parseScriptOutput(output, TEST_NONCE).sections;
}

/** The verdict of the pair's checks alone: counted, and diagnosed by the pair's rules. */
export function judged(
  checks: readonly CheckResult[],
  stamp: { readonly checkedAt: string; readonly runnerVersion: string },
): Verification {
  return summarize(checks, stamp, diagnose(pairFindings(checks)));
}

/** The pair's checks from the client's sections, the nodes and the endpoints, before any log is read. */
export function evaluateChecks(
  plan: CheckPlan,
  sections: ReadonlyMap<string, Section>,
  nodeCidrs: LabNodes | Error,
  endpoints: readonly ServiceEndpoint[] | Error,
): CheckResult[] {
  return pairChecks(plan, sections, nodeCidrs, judgePairPaths(plan, sections, endpoints));
}

/** The NetworkPolicy checks from the stranger's sections, before any log is read. */
export function evaluatePolicyChecks(
  plan: CheckPlan,
  policy: PolicyPlan,
  sections: ReadonlyMap<string, Section>,
  facts: PolicyFacts,
): CheckResult[] {
  return policyChecks(
    plan,
    policy,
    sections,
    facts,
    judgeStrangerPaths(plan, policy, sections, facts, {}),
  );
}
