import { describe, expect, it } from "vitest";
import {
  podSecurityControls,
  podSecurityPolicies,
  Profile,
  Version,
} from "../../../policy/policies";
import { check, goodPod, inCronJob, inDeployment, PodManifest, TYPES } from "../harness";
import { CASES, expectedFindings, PROFILES, VERSIONS } from "./cases";

// Every case of cases.ts on a Pod, a Deployment and a CronJob, under both profiles at every version:
// all pss-* policies run on each, so a value that another control also reported, or reported twice,
// fails as surely as one that passes unnoticed.

/** The pod of each case as each kind carries it, with the subject messages give it. */
const KINDS = [
  { kind: "Pod", type: TYPES.pod, wrap: (pod: PodManifest) => pod, subject: "Pod nginx-server" },
  {
    kind: "Deployment",
    type: TYPES.deployment,
    wrap: (pod: PodManifest) => inDeployment(pod, "web"),
    subject: "Deployment web (pod template)",
  },
  {
    kind: "CronJob",
    type: TYPES.cronJob,
    wrap: (pod: PodManifest) => inCronJob(pod, "probe"),
    subject: "CronJob probe (pod template)",
  },
];

/** A pss-* finding's message, taken apart: `violates PodSecurity "<profile>:<version>": …`. */
const MESSAGE = /^violates PodSecurity "(\w+):(v1\.\d+)": (.+?) \((.*)\); accepted: (.+)\.$/s;

/**
 * `policy: problem` of every finding of the pss-* policies under a profile and version, after
 * checking that each names that profile and version and its control's Pod Security Admission
 * reason, as the API server's rejection does.
 */
export async function findings(
  props: object,
  type: string,
  profile: Profile,
  version: Version,
): Promise<string[]> {
  const found: string[] = [];
  for (const policy of podSecurityPolicies) {
    const control = podSecurityControls.find((c) => c.name === policy.name)!;
    const config = { profile, version };
    for (const { message, level } of await check(policy, props, { type, config })) {
      expect(level).toBe("mandatory");
      const parts = MESSAGE.exec(message);
      expect(parts, message).not.toBeNull();
      const [, atProfile, atVersion, reason, problem] = parts!;
      expect([atProfile, atVersion, reason]).toEqual([
        profile,
        version,
        control.admission(profile).reason,
      ]);
      found.push(`${policy.name}: ${problem}`);
    }
  }
  return found;
}

/** Every profile at every version: the grid each case is tried on. */
const GRID = PROFILES.flatMap((profile) => VERSIONS.map((version) => ({ profile, version })));

describe.each(KINDS)("the Pod Security Standards on a $kind", ({ type, wrap, subject }) => {
  it("accept the happy path under both profiles at every version", async () => {
    for (const { profile, version } of GRID) {
      expect(await findings(wrap(goodPod()), type, profile, version), profile).toEqual([]);
    }
  });

  it.each(CASES.map((c) => [`${c.control}: ${c.value}`, c] as const))("%s", async (_, c) => {
    const props = wrap(goodPod(c.change));
    for (const { profile, version } of GRID) {
      const expected = expectedFindings(c, profile, version, subject);
      expect(
        (await findings(props, type, profile, version)).sort(),
        `${profile}:${version}`,
      ).toEqual(expected.sort());
    }
  });
});

describe("the cases", () => {
  it("try every control both ways under each profile it applies in, at every version", () => {
    for (const control of podSecurityControls) {
      const cases = CASES.filter((c) => c.control === control.name);
      // Under restricted, Pod Security Admission checks hostPath volumes as a restricted volume
      // type (pss-volume-types): pss-host-path has nothing left to forbid there.
      const profiles: Profile[] =
        control.level === "restricted" || control.name === "pss-host-path"
          ? [control.level === "restricted" ? "restricted" : "baseline"]
          : ["baseline", "restricted"];
      for (const profile of profiles) {
        for (const version of VERSIONS) {
          const outcomes = cases.map((c) =>
            expectedFindings(c, profile, version, "Pod x").some((f) =>
              f.startsWith(`${control.name}: `),
            ),
          );
          // Before v1.34 there is no host probe check: every value is allowed there.
          if (control.name === "pss-host-probes" && version === "v1.33") {
            expect(outcomes.every((forbidden) => !forbidden)).toBe(true);
            continue;
          }
          expect(outcomes, `${control.name} allowed, ${profile}:${version}`).toContain(false);
          expect(outcomes, `${control.name} forbidden, ${profile}:${version}`).toContain(true);
        }
      }
    }
  });

  it("try each version-dependent rule on both sides of the version that changed it", () => {
    const changing = CASES.filter((c) => c.at !== undefined).map((c) => c.control);
    expect([...new Set(changing)].sort()).toEqual([
      "pss-host-probes",
      "pss-proc-mount",
      "pss-run-as-non-root",
      "pss-run-as-user",
    ]);
  });

  it("name only controls of the pack", () => {
    const names = podSecurityControls.map((c) => c.name);
    expect(CASES.filter((c) => !names.includes(c.control))).toEqual([]);
    const also = CASES.flatMap((c) => (c.also ?? []).map(([control]) => control));
    expect(also.filter((name) => !names.includes(name))).toEqual([]);
  });
});

describe("every finding", () => {
  it("reads as the API server's rejection, then says what the standard accepts instead", async () => {
    const pod = goodPod((p) => {
      p.spec.hostIPC = true;
      p.spec.containers[0].securityContext!.runAsUser = 0;
    });
    const messages: string[] = [];
    for (const policy of podSecurityPolicies) {
      messages.push(...(await check(policy, pod)).map((v) => v.message));
    }
    expect(messages).toEqual([
      'violates PodSecurity "restricted:v1.34": host namespaces (Pod nginx-server: spec.hostIPC is true); accepted: false or unset.',
      `violates PodSecurity "restricted:v1.34": runAsUser=0 (Pod nginx-server, container nginx: securityContext.runAsUser is 0); accepted: a non-zero runAsUser, or none (then the image's user, which runAsNonRoot checks).`,
    ]);
  });
});
