import { IDENTITY_PATH } from "../contract/identity";
import { CheckName, CheckPlan, CheckResult } from "../contract/types";
import { serviceTargets } from "../plan/pairProbes";
import { expectedRequest } from "../witness/request";
import { Claim, describeVerdict, fails, judgeClaim, ServerLogs, Verdict } from "../witness/witness";

/** Which probe's request stands behind which pass of the client's, and where it was sent. */
function clientRequests(plan: CheckPlan): Array<[CheckName, string, string, number]> {
  return [
    ["pod-ip-http", "pod-ip-identity", plan.serverPodIp, plan.serverPort],
    ...serviceTargets(plan).map(
      ([check, probe, host]) =>
        [check as CheckName, probe, host, plan.servicePort] as [CheckName, string, string, number],
    ),
  ];
}

/** The stranger's requests, which nothing may serve. */
function strangerRequests(plan: CheckPlan): Array<[CheckName, string, string, number]> {
  return [
    ["stranger-to-pod-ip", "stranger-pod-ip", plan.serverPodIp, plan.serverPort],
    ["stranger-to-service", "stranger-service", plan.serviceClusterIp, plan.servicePort],
  ];
}

/** A claim and the check it stands behind. */
type PairClaim = Claim & { readonly check: CheckName };

/**
 * What the pair's results ask nginx-server's log to confirm: every client pass (the identity
 * request, exactly as sent, from the client's own address) and every stranger refusal (no request
 * of the stranger's logged at all).
 */
export function pairClaims(
  results: readonly CheckResult[],
  plan: CheckPlan,
  clientToken: string,
  strangerToken: string,
): PairClaim[] {
  const passed = (check: CheckName) => results.some((r) => r.name === check && r.ok);
  const present = (check: CheckName) => results.some((r) => r.name === check);
  return [
    ...clientRequests(plan)
      .filter(([check]) => passed(check))
      .map(([check, probe, host, port]) => ({
        check,
        probe,
        server: plan.serverPod,
        request: expectedRequest(host, port, IDENTITY_PATH, clientToken, probe),
        sources: [plan.clientPodIp],
        expect: "served" as const,
      })),
    ...strangerRequests(plan)
      .filter(([check]) => present(check))
      .map(([check, probe, host, port]) => ({
        check,
        probe,
        server: plan.serverPod,
        request: expectedRequest(host, port, "/", strangerToken, probe),
        expect: "refused" as const,
      })),
  ];
}

const FAILURE: Partial<Record<Verdict["kind"], string>> = {
  elsewhere: "not-served",
  "other-request": "other-request",
  "other-sender": "other-sender",
};

/**
 * The pair's results with nginx-server's word added: a pass it never served as sent, or served to
 * another sender, fails; a refusal it served fails; where its log cannot be read, each says it
 * stands on the prober's word alone.
 */
export function applyVerdicts(
  results: readonly CheckResult[],
  claims: readonly PairClaim[],
  logs: ServerLogs,
  plan: CheckPlan,
): CheckResult[] {
  return results.map((result) => {
    const claim = claims.find((c) => c.check === result.name);
    if (!claim) {
      return result;
    }
    const verdict = judgeClaim(claim, logs);
    const prober =
      claim.expect === "served" ? `${plan.clientPod} (${plan.clientPodIp})` : "the stranger";
    const note = describeVerdict(
      verdict,
      plan.serverPod,
      prober,
      claim.expect === "served" ? "this request" : "the stranger's request",
    );
    const serverSaw =
      verdict.kind === "unreadable"
        ? "unreadable"
        : verdict.kind === "confirmed"
          ? verdict.remotes.join(",") || "nothing"
          : verdict.kind === "elsewhere"
            ? "nothing"
            : verdict.seen;
    if (!fails(verdict)) {
      return {
        ...result,
        detail: `${result.detail}; ${note}`,
        facts: { ...result.facts, serverSaw },
      };
    }
    return {
      ...result,
      ok: false,
      detail: `${result.detail}; ${note}`,
      facts: {
        ...result.facts,
        serverSaw,
        ...(verdict.kind === "got-through"
          ? { got: "through" }
          : { failure: FAILURE[verdict.kind] ?? "not-served" }),
      },
    };
  });
}
