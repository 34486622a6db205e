import { describe, expect, it } from "vitest";
import {
  EXEMPTIONS,
  exemptionsFor,
  podSecurityExemptions,
  podSecurityPolicies,
  resourceKey,
} from "../../policy/policies";
import { BUSYBOX_URN, busyboxPod, check, PodManifest, pssProblem } from "./harness";

const CLIENT = "Pod busybox-client, container busybox";
const WHERE = "policy/policies/podSecurity/exemptions.ts";

/** `policy: message` of every pss-* finding on a pod with this URN, under a profile. */
async function pssFindings(pod: PodManifest, urn: string, profile = "restricted") {
  const found: string[] = [];
  for (const policy of podSecurityPolicies) {
    for (const { message, level } of await check(policy, pod, { urn, config: { profile } })) {
      found.push(`${level} ${policy.name}: ${pssProblem(message)}`);
    }
  }
  return found;
}

describe("the exemption key", () => {
  it("is the URN's qualified type: the resource's type after its parents' types", () => {
    expect(resourceKey(BUSYBOX_URN)).toBe(
      "pod-to-pod:index:PodToPodLab$pod-to-pod:lab:BusyboxClient$kubernetes:core/v1:Pod",
    );
    expect(resourceKey("urn:pulumi:prod::other::kubernetes:core/v1:Pod::odd::name")).toBe(
      "kubernetes:core/v1:Pod",
    );
    expect(resourceKey("busybox-pod")).toBeUndefined();
  });

  it("holds the one busybox exemption for every lab's client pod, and for nothing else", () => {
    expect(EXEMPTIONS).toHaveLength(1);
    const labs = [
      ...["dev", "e2e-1", "preview-42"].map((stack) =>
        BUSYBOX_URN.replace(":dev::", `:${stack}::`),
      ),
      // A lab a consumer's program adds, named after its component.
      "urn:pulumi:dev::consumer::pod-to-pod:index:PodToPodLab$pod-to-pod:lab:BusyboxClient$kubernetes:core/v1:Pod::edge-busybox-pod",
    ];
    for (const urn of labs) {
      expect(exemptionsFor(urn), urn).toEqual(EXEMPTIONS);
    }
    // The same Pulumi name, from a YAML file, without the component or without the lab around it: a
    // different resource.
    for (const urn of [
      "urn:pulumi:dev::pod-to-pod::kubernetes:core/v1:Pod::busybox-pod",
      "urn:pulumi:dev::pod-to-pod::kubernetes:yaml:ConfigFile$kubernetes:core/v1:Pod::busybox-pod",
      "urn:pulumi:dev::pod-to-pod::pod-to-pod:lab:BusyboxClient$kubernetes:core/v1:Pod::busybox-pod",
      "urn:pulumi:dev::pod-to-pod::pod-to-pod:index:PodToPodLab$kubernetes:core/v1:Pod::busybox-pod",
    ]) {
      expect(exemptionsFor(urn), urn).toEqual([]);
    }
  });
});

describe("the busybox exemption", () => {
  it("waives exactly NET_RAW and root for the exempted pod under restricted", async () => {
    expect(await pssFindings(busyboxPod(), BUSYBOX_URN)).toEqual([]);
    expect(
      await pssFindings(
        busyboxPod(),
        "urn:pulumi:dev::pod-to-pod::kubernetes:core/v1:Pod::busybox-pod",
      ),
    ).toEqual([
      `mandatory pss-capabilities: ${CLIENT} adds capability NET_RAW`,
      `mandatory pss-run-as-non-root: ${CLIENT}: runAsNonRoot is unset at pod and container level, so it may run as root`,
      `mandatory pss-run-as-user: ${CLIENT}: securityContext.runAsUser is 0`,
    ]);
  });

  it("waives no other control", async () => {
    const pod = busyboxPod((p) => {
      p.spec.containers[0].securityContext!.allowPrivilegeEscalation = true;
      p.spec.hostNetwork = true;
    });
    expect(await pssFindings(pod, BUSYBOX_URN)).toEqual([
      "mandatory pss-host-namespaces: Pod busybox-client: spec.hostNetwork is true",
      `mandatory pss-privilege-escalation: ${CLIENT}: securityContext.allowPrivilegeEscalation is true`,
    ]);
  });

  it("covers root only in its container, not set for the whole pod", async () => {
    const pod = busyboxPod((p) => {
      p.spec.securityContext!.runAsUser = 0;
      delete p.spec.containers[0].securityContext!.runAsUser;
    });
    expect(await pssFindings(pod, BUSYBOX_URN)).toEqual([
      "mandatory pss-run-as-user: Pod busybox-client: spec.securityContext.runAsUser is 0",
    ]);
  });

  it("is reported once, as an advisory, under either profile", async () => {
    const expected = [
      {
        level: "advisory",
        message: `${CLIENT} may add NET_RAW (pss-capabilities) and run as root (pss-run-as-non-root, pss-run-as-user): exempt as pod-to-pod:index:PodToPodLab$pod-to-pod:lab:BusyboxClient$kubernetes:core/v1:Pod in ${WHERE}, because ${EXEMPTIONS[0].reason}.`,
      },
    ];
    expect(await check(podSecurityExemptions, busyboxPod(), { urn: BUSYBOX_URN })).toEqual(
      expected,
    );
    expect(await pssFindings(busyboxPod(), BUSYBOX_URN, "baseline")).toEqual([]);
  });

  it("fails once the container no longer needs a grant, naming it", async () => {
    const nonRoot = busyboxPod((p) => {
      p.spec.containers[0].securityContext!.runAsUser = 1000;
      p.spec.containers[0].securityContext!.runAsNonRoot = true;
    });
    expect(await check(podSecurityExemptions, nonRoot, { urn: BUSYBOX_URN })).toEqual([
      {
        level: "mandatory",
        message: `${CLIENT}: its exemption lets it run as root, which no control needs of it; accepted: an exemption that grants only what the container uses (remove "run as root" from ${WHERE}).`,
      },
      {
        level: "advisory",
        message: `${CLIENT} may add NET_RAW (pss-capabilities): exempt as pod-to-pod:index:PodToPodLab$pod-to-pod:lab:BusyboxClient$kubernetes:core/v1:Pod in ${WHERE}, because ${EXEMPTIONS[0].reason}.`,
      },
    ]);
  });

  it("fails when the pod has no container of the exemption's name", async () => {
    const renamed = busyboxPod((p) => {
      p.spec.containers[0].name = "client";
    });
    expect(await check(podSecurityExemptions, renamed, { urn: BUSYBOX_URN })).toEqual([
      {
        level: "mandatory",
        message: `Pod busybox-client has no container busybox, which its exemption in ${WHERE} names; accepted: an exemption for a container of the pod, or none.`,
      },
    ]);
    expect(await pssFindings(renamed, BUSYBOX_URN)).toHaveLength(3);
  });
});
