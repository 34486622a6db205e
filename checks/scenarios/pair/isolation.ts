import { IngressVerdict } from "../../judge/networkPolicy";
import { judgeRefusedPath, PathJudgement, witnessFacts } from "../../judge/paths";
import { strangerPaths } from "./probes";
import { parseNslookup, readResponse } from "../../probe/parsers";
import { Section } from "../../probe/script";
import { CheckPlan, CheckResult, PolicyPlan } from "../../contract/types";

/**
 * What the API server says of the lab's pods and policies: who may reach nginx, and which
 * policies restrict the stranger's own egress (its refusals prove nothing then). Or why it could
 * not say.
 */
export type PolicyFacts =
  | (IngressVerdict & {
      readonly strangerEgressBy: readonly string[];
      /** nginx's pod IP as the API has it now ("" where it has none). */
      readonly serverIp: string;
    })
  | Error;

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

/** A request the policies must refuse, as the check named `name`: a view of its judged path. */
function denied(
  name: "stranger-to-pod-ip" | "stranger-to-service",
  path: PathJudgement,
): CheckResult {
  const { refusal, side } = path;
  const got = refusal?.got;
  return {
    name,
    ok: path.http.ok,
    detail: side ? `${path.http.detail}; ${side.notes}` : path.http.detail,
    ms: path.ms,
    ...(got || side
      ? { facts: { ...(got ? { got } : {}), ...(side ? witnessFacts(side) : {}) } }
      : {}),
  };
}

/**
 * The stranger's paths, judged from its sections: each must be refused, and the refusal the
 * server side's doing, with a server behind each path (`unbacked`: why none is, from the API). Alive: the stranger reaches the Kubernetes API by IP, which no policy of
 * the lab covers (DNS has a check of its own); any HTTP status proves the path (its TLS port
 * answers plain HTTP 400).
 */
export function judgeStrangerPaths(
  plan: CheckPlan,
  policy: PolicyPlan,
  sections: ReadonlyMap<string, Section>,
  facts: PolicyFacts,
  unbacked: { readonly podIp?: string; readonly clusterIp?: string },
  token = "",
): PathJudgement[] {
  const api = sections.get("stranger-api");
  const alive = api !== undefined && (api.rc === 0 || readResponse(api.output).statuses.length > 0);
  const prober = {
    name: policy.strangerPod,
    alive,
    ...(facts instanceof Error ? {} : { egressBy: facts.strangerEgressBy }),
  };
  const [toPodIp, toService] = strangerPaths(plan, policy);
  const claim = { server: plan.serverPod, token };
  return [
    judgeRefusedPath(sections, toPodIp, prober, unbacked.podIp, claim),
    judgeRefusedPath(sections, toService, prober, unbacked.clusterIp, claim),
  ];
}

/** The NetworkPolicy checks: the API's view of the policies, and the stranger's judged paths. */
export function policyChecks(
  plan: CheckPlan,
  policy: PolicyPlan,
  sections: ReadonlyMap<string, Section>,
  facts: PolicyFacts,
  paths: readonly PathJudgement[],
): CheckResult[] {
  const dnsSection = sections.get("stranger-dns");
  const answer = parseNslookup(dnsSection?.output ?? "");
  const dnsOk = answer.addresses.includes(plan.serviceClusterIp);
  const [toPodIp, toService] = paths;
  return [
    allowsClient(plan, facts),
    denied("stranger-to-pod-ip", toPodIp),
    denied("stranger-to-service", toService),
    {
      name: "stranger-dns",
      ok: dnsOk,
      detail: dnsOk
        ? `${policy.strangerPod} resolves ${plan.serviceName} to ${plan.serviceClusterIp} at CoreDNS, which no policy of the lab covers`
        : `${policy.strangerPod} cannot resolve ${plan.serviceName}: ${answer.error ?? (dnsSection?.output.trim() || "no output")}`,
      ms: dnsSection?.ms ?? 0,
    },
  ];
}
