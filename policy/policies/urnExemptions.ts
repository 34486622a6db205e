import { reportAdvisory } from "./report";
import {
  EnforcementLevel,
  PolicyConfigSchema,
  ReportViolation,
  ResourceValidation,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "./types";

/** An exemption from one rule, from policy pack config: the resources whose URN matches. */
export interface UrnExemption {
  /**
   * A resource's URN, where `*` stands for any run of characters:
   * `urn:pulumi:*::shop::kubernetes:core/v1:Pod::debug` exempts that Pod in every stack.
   */
  readonly urn: string;
  /** Why it is needed, shown in every preview in place of the finding. */
  readonly reason: string;
}

/** The `exemptions` key every rule of the general pack takes in its config. */
export const URN_EXEMPTIONS_SCHEMA: PolicyConfigSchema["properties"] = {
  exemptions: {
    type: "array",
    items: {
      type: "object",
      properties: {
        urn: { type: "string", minLength: 1 },
        reason: { type: "string", minLength: 1 },
      },
      required: ["urn", "reason"],
      additionalProperties: false,
    },
    description:
      "Resources this rule does not fail, by URN (`*` matches any run of characters), each with the reason shown in every preview as an advisory in place of the finding.",
    default: [],
  },
};

/** Whether a URN pattern (`*` for any run of characters) matches the URN, whole. */
export function urnMatches(pattern: string, urn: string): boolean {
  const parts = pattern.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".*")}$`, "s").test(urn);
}

/** The object form of a report, as reportAdvisory sends it. */
interface ViolationObject {
  readonly message: string;
  readonly enforcementLevel?: EnforcementLevel;
  readonly urn?: string;
}

/**
 * A report that turns each finding on an exempted resource into an advisory naming the exemption;
 * `own` is the URN a resource policy's findings are about (a stack policy passes its own).
 */
function exemptingReport(
  report: ReportViolation,
  exemptions: readonly UrnExemption[],
  own?: string,
): ReportViolation {
  return (message: string | ViolationObject, urn?: string) => {
    const text = typeof message === "string" ? message : message.message;
    const at = (typeof message === "string" ? urn : message.urn) ?? own;
    const exemption = at === undefined ? undefined : exemptions.find((e) => urnMatches(e.urn, at));
    // An advisory already blocks nothing: it is shown as the policy wrote it.
    const advisory = typeof message !== "string" && message.enforcementLevel === "advisory";
    if (exemption === undefined || advisory) {
      (report as (m: string | ViolationObject, u?: string) => void)(message, urn);
      return;
    }
    reportAdvisory(
      report,
      `exempt by policy config (${exemption.urn}) because ${exemption.reason}: ${text}`,
      typeof message === "string" ? urn : message.urn,
    );
  };
}

/** The exemptions of a policy's config, none when it sets none. */
function exemptionsOf(args: { getConfig<C extends object>(): C }): readonly UrnExemption[] {
  return args.getConfig<{ exemptions?: readonly UrnExemption[] }>().exemptions ?? [];
}

/**
 * The policy with an `exemptions` config key: a finding about a resource whose URN an exemption
 * matches is reported as an advisory that names the exemption and its reason, so it shows in
 * every preview and blocks nothing. The engine derives a URN from the program's resource tree, so
 * no manifest can claim one.
 */
export function withUrnExemptions<P extends ResourceValidationPolicy | StackValidationPolicy>(
  policy: P,
): P {
  const configSchema: PolicyConfigSchema = {
    ...policy.configSchema,
    properties: { ...policy.configSchema?.properties, ...URN_EXEMPTIONS_SCHEMA },
  };
  if ("validateStack" in policy) {
    const stack = policy as StackValidationPolicy;
    return {
      ...stack,
      configSchema,
      validateStack: (args, report) =>
        stack.validateStack(args, exemptingReport(report, exemptionsOf(args))),
    } as P;
  }
  const resource = policy as ResourceValidationPolicy;
  const wrap =
    (validate: ResourceValidation): ResourceValidation =>
    (args, report) =>
      validate(args, exemptingReport(report, exemptionsOf(args), args.urn));
  return {
    ...resource,
    configSchema,
    validateResource: Array.isArray(resource.validateResource)
      ? resource.validateResource.map(wrap)
      : wrap(resource.validateResource as ResourceValidation),
  } as P;
}
