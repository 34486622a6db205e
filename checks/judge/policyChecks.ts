import { IngressVerdict } from "./networkPolicy";
import { parseNslookup, readResponse, wgetFailure } from "../probe/parsers";
import { Section } from "../probe/script";
import { CheckPlan, CheckResult, PolicyPlan } from "../contract/types";

/**
 * What the API server says of the lab's pods and policies: who may reach nginx, and which
 * policies restrict the stranger's own egress (its refusals prove nothing then). Or why it could
 * not say.
 */
export type PolicyFacts =
  (IngressVerdict & { readonly strangerEgressBy: readonly string[] }) | Error;

function listed(names: readonly string[]): string {
  return names.length > 0 ? names.join(", ") : "none";
}

/** The policies, read from the API, let the client reach nginx on its port. */
function allowsClient(plan: CheckPlan, facts: PolicyFacts): CheckResult {
  if (facts instanceof Error) {
    return {
      name: "policy-allows-client",
      ok: false,
      detail: `could not read the namespace's NetworkPolicies and pods: ${facts.message}`,
      ms: 0,
    };
  }
  const facts_ = {
    isolatedBy: listed(facts.isolatedBy),
    allowedBy: listed(facts.allowedBy),
  };
  if (facts.isolatedBy.length === 0) {
    return {
      name: "policy-allows-client",
      ok: false,
      detail: `no NetworkPolicy selects ${plan.serverPod}: the lab is not isolated, so refusing a stranger would prove nothing`,
      ms: 0,
      facts: facts_,
    };
  }
  return {
    name: "policy-allows-client",
    ok: facts.allowed,
    detail: facts.allowed
      ? `${plan.serverPod} is isolated by ${listed(facts.isolatedBy)}; ${plan.clientPod} is let in on port ${plan.serverPort} by ${listed(facts.allowedBy)}`
      : `${plan.serverPod} is isolated by ${listed(facts.isolatedBy)} and no policy lets ${plan.clientPod} in on port ${plan.serverPort}`,
    ms: 0,
    facts: facts_,
  };
}

/** A request the policies must refuse: it fails (dropped or refused) within the deny bound. */
function denied(
  name: "stranger-to-pod-ip" | "stranger-to-service",
  section: Section | undefined,
  target: string,
  policy: PolicyPlan,
  alive: boolean,
  egressBy: readonly string[] | undefined,
): CheckResult {
  if (!section) {
    return { name, ok: false, detail: `the stranger's probe of ${target} printed nothing`, ms: 0 };
  }
  if (section.rc === 0) {
    return {
      name,
      ok: false,
      detail: `${policy.strangerPod} reached ${target}, which the policies refuse it: the NetworkPolicy is not enforced`,
      ms: section.ms,
      facts: { got: "through" },
    };
  }
  if (!alive) {
    return {
      name,
      ok: false,
      detail: `${target} did not answer ${policy.strangerPod}, but the stranger does not reach the Kubernetes API either: its refusal proves nothing`,
      ms: section.ms,
      facts: { got: "nothing" },
    };
  }
  if (egressBy === undefined || egressBy.length > 0) {
    return {
      name,
      ok: false,
      detail:
        egressBy === undefined
          ? `${target} did not answer ${policy.strangerPod}, but the stranger's own policies could not be read: the refusal may be its own egress`
          : `${target} did not answer ${policy.strangerPod}, but ${egressBy.join(", ")} restrict${egressBy.length === 1 ? "s" : ""} the stranger's own egress: the refusal proves nothing of the server's side`,
      ms: section.ms,
      facts: { got: "own-egress" },
    };
  }
  const how = wgetFailure(section.rc, section.output, target);
  const refused =
    how.failure === "timeout" ? "dropped" : how.failure === "refused" ? "refused" : how.failure;
  return {
    name,
    ok: how.failure === "timeout" || how.failure === "refused",
    detail:
      how.failure === "timeout" || how.failure === "refused"
        ? `denied as expected after ${section.ms} ms (${refused}: ${how.detail})`
        : `${target} failed for ${policy.strangerPod}, but not as a policy refuses: ${how.detail}`,
    ms: section.ms,
    facts: { got: String(refused) },
  };
}

/** The NetworkPolicy checks, from the stranger's sections and the API's view of the policies. */
export function evaluatePolicyChecks(
  plan: CheckPlan,
  policy: PolicyPlan,
  sections: ReadonlyMap<string, Section>,
  facts: PolicyFacts,
): CheckResult[] {
  const dnsSection = sections.get("stranger-dns");
  const answer = parseNslookup(dnsSection?.output ?? "");
  // Alive: the stranger reaches the Kubernetes API by IP, which no policy of the lab covers (DNS
  // has a check of its own). Any HTTP status proves the path: its TLS port answers plain HTTP 400.
  const api = sections.get("stranger-api");
  const alive = api !== undefined && (api.rc === 0 || readResponse(api.output).statuses.length > 0);
  const egressBy = facts instanceof Error ? undefined : facts.strangerEgressBy;
  const dnsOk = answer.addresses.includes(plan.serviceClusterIp);
  const dns: CheckResult = {
    name: "stranger-dns",
    ok: dnsOk,
    detail: dnsOk
      ? `${policy.strangerPod} resolves ${plan.serviceName} to ${plan.serviceClusterIp} at CoreDNS, which no policy of the lab covers`
      : `${policy.strangerPod} cannot resolve ${plan.serviceName}: ${answer.error ?? (dnsSection?.output.trim() || "no output")}`,
    ms: dnsSection?.ms ?? 0,
  };
  return [
    allowsClient(plan, facts),
    denied(
      "stranger-to-pod-ip",
      sections.get("stranger-pod-ip"),
      `${plan.serverPodIp}:${plan.serverPort}`,
      policy,
      alive,
      egressBy,
    ),
    denied(
      "stranger-to-service",
      sections.get("stranger-service"),
      `${plan.serviceClusterIp}:${plan.servicePort}`,
      policy,
      alive,
      egressBy,
    ),
    dns,
  ];
}
