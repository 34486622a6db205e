import { describe, expect, it } from "vitest";
import {
  kubernetesPolicies,
  policies,
  StackValidationPolicy,
  urnMatches,
} from "../../policy/policies";
import {
  BUSYBOX_URN,
  busyboxPod,
  goodPod,
  PackConfig,
  policyResource,
  runPack,
  runStackPolicy,
  TYPES,
} from "./harness";

const POD_URN = "urn:pulumi:prod::shop::kubernetes:core/v1:Pod::debug";

/** `<level> <policy>` and message of what the general pack finds on one Pod, under config. */
async function findings(pod: object, config: PackConfig, urn = POD_URN): Promise<string[]> {
  const found = await runPack(
    kubernetesPolicies(),
    [{ type: TYPES.pod, name: "debug", inputs: pod, urn }],
    config,
  );
  return found
    .filter((f) => f.policy !== "pod-networkpolicy")
    .map((f) => `${f.level} ${f.policy}: ${f.message}`);
}

const LATEST = goodPod((p) => {
  p.spec.containers[0].image = "nginx:latest";
});
const LATEST_FINDING = `Pod nginx-server, container nginx: image "nginx:latest" uses the tag latest, which moves with every release; accepted: a fixed tag (nginx:<version>) or a digest (nginx@sha256:<64 hex digits>).`;

describe("urnMatches", () => {
  it("matches a whole URN, with * for any run of characters and nothing else special", () => {
    expect(urnMatches(POD_URN, POD_URN)).toBe(true);
    expect(urnMatches("urn:pulumi:*::shop::kubernetes:core/v1:Pod::debug", POD_URN)).toBe(true);
    expect(urnMatches("urn:pulumi:*::shop::*::debug", POD_URN)).toBe(true);
    expect(urnMatches("urn:pulumi:*::shop::kubernetes:core/v1:Pod::de", POD_URN)).toBe(false);
    expect(urnMatches("urn:pulumi:prod::shop", POD_URN)).toBe(false);
    // A dot is a dot, not any character.
    expect(urnMatches("urn:pulumi:prod::shop::kubernetes:core/v1:Pod::debu.", POD_URN)).toBe(false);
  });
});

describe("exemptions by URN in a general rule's config", () => {
  it("turn a resource policy's finding on a matching resource into an advisory naming them", async () => {
    const exempt = {
      "image-pinned": {
        exemptions: [{ urn: "urn:pulumi:*::shop::*::debug", reason: "a debug pod tracks latest" }],
      },
    };
    expect(await findings(LATEST, exempt)).toEqual([
      `advisory image-pinned: exempt by policy config (urn:pulumi:*::shop::*::debug) because a debug pod tracks latest: ${LATEST_FINDING}`,
    ]);
  });

  it("leave every other resource failing", async () => {
    const other = {
      "image-pinned": {
        exemptions: [{ urn: "urn:pulumi:*::shop::*::web", reason: "only web" }],
      },
    };
    expect(await findings(LATEST, other)).toEqual([`mandatory image-pinned: ${LATEST_FINDING}`]);
  });

  it("turn a pss-* finding into an advisory only for the rule that lists the URN", async () => {
    const privileged = goodPod((p) => {
      p.spec.containers[0].securityContext!.privileged = true;
      p.spec.containers[0].securityContext!.allowPrivilegeEscalation = true;
    });
    const exempt = {
      "pss-privileged": { exemptions: [{ urn: POD_URN, reason: "it loads a module" }] },
    };
    expect(await findings(privileged, exempt)).toEqual([
      `advisory pss-privileged: exempt by policy config (${POD_URN}) because it loads a module: violates PodSecurity "restricted:v1.34": privileged (Pod nginx-server, container nginx: securityContext.privileged is true); accepted: false or unset.`,
      `mandatory pss-privilege-escalation: violates PodSecurity "restricted:v1.34": allowPrivilegeEscalation != false (Pod nginx-server, container nginx: securityContext.allowPrivilegeEscalation is true); accepted: false.`,
    ]);
  });
});

describe("exemptions by URN and values a preview cannot know", () => {
  it("leave the advisory of a pod that cannot be checked yet as the policy wrote it", async () => {
    // What @pulumi/policy throws on reading an unknown value, matched by its name as pods.ts does.
    class UnknownValueError extends Error {}
    const pod = goodPod();
    Object.defineProperty(pod, "spec", {
      get: () => {
        throw new UnknownValueError("spec is unknown");
      },
    });
    const policy = kubernetesPolicies().find((p) => p.name === "pss-privileged");
    const found = await runStackPolicy(
      policy as StackValidationPolicy,
      [policyResource(TYPES.pod, pod, "debug", POD_URN)],
      { exemptions: [{ urn: POD_URN, reason: "any" }] },
    );
    expect(found).toEqual([
      {
        level: "advisory",
        message:
          "Pod nginx-server cannot be checked until a value the preview does not know is known (spec is unknown).",
        urn: POD_URN,
      },
    ]);
  });
});

describe("the general rules and the lab's exemption in code", () => {
  it("grant the lab's busybox nothing: its pod fails as any root pod adding NET_RAW does", async () => {
    const found = await runPack(
      kubernetesPolicies(),
      [{ type: TYPES.pod, name: "busybox-pod", inputs: busyboxPod(), urn: BUSYBOX_URN }],
      {},
    );
    expect(found.filter((f) => f.level === "mandatory").map((f) => f.policy)).toEqual([
      "pss-capabilities",
      "pss-run-as-non-root",
      "pss-run-as-user",
      "pod-networkpolicy",
    ]);
  });

  it("are granted it in the lab's pack, which shows it", async () => {
    const found = await runPack(
      policies,
      [{ type: TYPES.pod, name: "busybox-pod", inputs: busyboxPod(), urn: BUSYBOX_URN }],
      {},
    );
    expect(found.map((f) => `${f.level} ${f.policy}`)).toEqual([
      "mandatory pod-networkpolicy",
      "advisory pod-security-exemptions",
      "advisory namespace-default-deny",
    ]);
  });
});
