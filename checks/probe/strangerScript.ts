import { scriptPreamble, serviceFqdn, shellQuote } from "./podScript";
import { witnessedPath, witnessToken } from "../witness/serverWitness";
import { CheckPlan, PolicyPlan } from "../contract/types";

/**
 * How long a request the policies must refuse may go unanswered before it counts as refused: a
 * dropped SYN is retried after a second, so two seconds shows a drop, and the stranger's probes
 * run at once, so this is all the isolation adds to a run.
 */
export const DENY_BOUND_SECONDS = 2;

/** The stranger's probes, one section each. */
export type StrangerSection = "stranger-pod-ip" | "stranger-service" | "stranger-dns";

/**
 * The script the stranger pod runs: the nginx pod's IP and the Service's ClusterIP, each of which
 * the policies must refuse it within the deny bound (no retries: a drop is what is expected, and
 * waiting for one is all it costs), and the Service's name at CoreDNS, which no policy of the lab
 * covers. The three run at once, so the run takes one deny bound, not three.
 */
export function buildStrangerScript(plan: CheckPlan, policy: PolicyPlan, nonce: string): string {
  const bound = String(policy.denyBoundSeconds);
  // Tagged as the client's are: a request nginx logs with this run's token got through.
  const token = witnessToken(nonce);
  const url = (host: string, port: number, probe: StrangerSection) =>
    shellQuote(`http://${host}:${port}${witnessedPath("/", token, probe)}`);
  const probes: Array<[StrangerSection, string]> = [
    [
      "stranger-pod-ip",
      `timeout ${bound} wget -q -O - ${url(plan.serverPodIp, plan.serverPort, "stranger-pod-ip")}`,
    ],
    [
      "stranger-service",
      `timeout ${bound} wget -q -O - ${url(plan.serviceClusterIp, plan.servicePort, "stranger-service")}`,
    ],
    ["stranger-dns", `timeout ${plan.timeoutSeconds} nslookup ${shellQuote(serviceFqdn(plan))}`],
  ];
  return (
    [
      ...scriptPreamble(nonce),
      ...probes.map(([name, cmd]) => `probe ${name} 1 ${shellQuote(cmd)} &`),
      "wait",
      `printf '%s end\\n' "$nonce"`,
    ].join("\n") + "\n"
  );
}
