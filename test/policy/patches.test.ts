import { describe, expect, it } from "vitest";
import { kindOf, kubernetesPolicies, PATCH_SUFFIX, POD_PATHS } from "../../policy/policies";
import {
  Finding,
  goodPod,
  Mutable,
  PackConfig,
  runPack,
  sdkTypeTokens,
  StackResource,
  TYPES,
} from "./harness";

/** A container as a patch writes it: only the fields it sets. */
type PatchContainer = Mutable<NonNullable<ReturnType<typeof goodPod>["spec"]["containers"]>[0]>;

/** A patch's pod: the fields it sets, and nothing it leaves to the live object. */
interface PatchPod {
  metadata?: { labels?: Record<string, string> };
  spec: {
    serviceAccountName?: string;
    automountServiceAccountToken?: boolean;
    containers: PatchContainer[];
  };
}

/**
 * The happy path for patches: a DeploymentPatch that moves one container to a pinned image and
 * sets nothing else. Tests take it and change one thing.
 */
function goodPatch(change?: (pod: PatchPod) => void): object {
  const pod: PatchPod = { spec: { containers: [{ name: "web", image: "nginx:1.28.1" }] } };
  change?.(pod);
  return { metadata: { name: "web", namespace: "shop" }, spec: { template: pod } };
}

/** `<level> <policy>: <message>` of what the general pack finds on one resource. */
async function findingsOn(
  type: string,
  props: object,
  config: PackConfig = {},
  others: readonly StackResource[] = [],
): Promise<string[]> {
  const found: Finding[] = await runPack(
    kubernetesPolicies(),
    [{ type, name: "under-test", inputs: props }, ...others],
    config,
  );
  return found
    .filter((f) => f.resource === `${type}::under-test`)
    .map((f) => `${f.level} ${f.policy}: ${f.message}`);
}

const BASELINE: PackConfig = Object.fromEntries(
  kubernetesPolicies()
    .filter((p) => p.name.startsWith("pss-"))
    .map((p) => [p.name, { profile: "baseline" }]),
);

const CONTAINER = "DeploymentPatch web (pod template), container web";

/** What restricted says of a patch's container that leaves its securityContext to the live object. */
const LEFT_TO_LIVE_OBJECT = [
  `advisory pss-capabilities: ${CONTAINER}: the patch does not set securityContext.capabilities.drop, so the live object decides whether it passes PodSecurity "restricted:v1.34" (unrestricted capabilities); accepted: a drop list with "ALL" (restricted).`,
  `advisory pss-seccomp: ${CONTAINER}: the patch does not set seccompProfile.type (pod or container securityContext), so the live object decides whether it passes PodSecurity "restricted:v1.34" (seccompProfile); accepted: seccompProfile.type RuntimeDefault or Localhost in the pod's or the container's securityContext.`,
  `advisory pss-privilege-escalation: ${CONTAINER}: the patch does not set securityContext.allowPrivilegeEscalation, so the live object decides whether it passes PodSecurity "restricted:v1.34" (allowPrivilegeEscalation != false); accepted: false.`,
  `advisory pss-run-as-non-root: ${CONTAINER}: the patch does not set runAsNonRoot (pod or container securityContext), so the live object decides whether it passes PodSecurity "restricted:v1.34" (runAsNonRoot != true); accepted: runAsNonRoot: true in the pod's securityContext, or in the container's.`,
];

const PRIVILEGED = `mandatory pss-privileged: violates PodSecurity "restricted:v1.34": privileged (${CONTAINER}: securityContext.privileged is true); accepted: false or unset.`;

describe("a …Patch, judged on the fields it sets", () => {
  it("fails no rule for a field it leaves out; restricted names each one the live object decides", async () => {
    expect(await findingsOn(TYPES.deploymentPatch, goodPatch())).toEqual(LEFT_TO_LIVE_OBJECT);
  });

  it("passes baseline with no finding: baseline asks for nothing to be set", async () => {
    expect(await findingsOn(TYPES.deploymentPatch, goodPatch(), BASELINE)).toEqual([]);
  });

  it("fails pss-privileged, mandatory, for a container it makes privileged", async () => {
    const privileged = goodPatch((p) => {
      p.spec.containers[0].securityContext = { privileged: true };
    });
    expect(await findingsOn(TYPES.deploymentPatch, privileged, BASELINE)).toEqual([
      PRIVILEGED.replace("restricted:v1.34", "baseline:v1.34"),
    ]);
    expect(await findingsOn(TYPES.deploymentPatch, privileged)).toEqual([
      PRIVILEGED,
      ...LEFT_TO_LIVE_OBJECT,
    ]);
  });

  it("judges a value it sets as if applied: allowPrivilegeEscalation true is a violation", async () => {
    const escalating = goodPatch((p) => {
      p.spec.containers[0].securityContext = { allowPrivilegeEscalation: true };
    });
    expect(await findingsOn(TYPES.deploymentPatch, escalating)).toEqual([
      LEFT_TO_LIVE_OBJECT[0],
      LEFT_TO_LIVE_OBJECT[1],
      `mandatory pss-privilege-escalation: violates PodSecurity "restricted:v1.34": allowPrivilegeEscalation != false (${CONTAINER}: securityContext.allowPrivilegeEscalation is true); accepted: false.`,
      LEFT_TO_LIVE_OBJECT[3],
    ]);
  });

  it("fails image-pinned for an image it sets to latest", async () => {
    const latest = goodPatch((p) => {
      p.spec.containers[0].image = "nginx:latest";
    });
    expect(await findingsOn(TYPES.deploymentPatch, latest, BASELINE)).toEqual([
      `mandatory image-pinned: ${CONTAINER}: image "nginx:latest" uses the tag latest, which moves with every release; accepted: a fixed tag (nginx:<version>) or a digest (nginx@sha256:<64 hex digits>).`,
    ]);
  });

  it("fails read-only-root-filesystem for false, and container-resources never for a value left out", async () => {
    const writable = goodPatch((p) => {
      p.spec.containers[0].securityContext = { readOnlyRootFilesystem: false };
      p.spec.containers[0].resources = { limits: { cpu: "500m" } };
    });
    expect(await findingsOn(TYPES.deploymentPatch, writable, BASELINE)).toEqual([
      `mandatory read-only-root-filesystem: ${CONTAINER}: securityContext.readOnlyRootFilesystem is false; accepted: true, with an emptyDir volume where the container must write (e.g. /tmp).`,
    ]);
  });

  it("fails service-account-token only when it sets both the default account and the token", async () => {
    const mounted = goodPatch((p) => {
      p.spec.automountServiceAccountToken = true;
    });
    expect(await findingsOn(TYPES.deploymentPatch, mounted, BASELINE)).toEqual([]);
    const onDefault = goodPatch((p) => {
      p.spec.automountServiceAccountToken = true;
      p.spec.serviceAccountName = "default";
    });
    expect(await findingsOn(TYPES.deploymentPatch, onDefault, BASELINE)).toEqual([
      "mandatory service-account-token: DeploymentPatch web (pod template) runs as the default service account and automountServiceAccountToken is true; accepted: automountServiceAccountToken: false, or a service account of its own if it calls the Kubernetes API.",
    ]);
  });

  it("judges a PodPatch's own spec, naming it as a pod", async () => {
    const pod = { metadata: { name: "web", namespace: "shop" }, spec: { containers: [] } };
    (pod.spec.containers as object[]).push({ name: "web", securityContext: { privileged: true } });
    expect(await findingsOn(TYPES.podPatch, pod, BASELINE)).toEqual([
      'mandatory pss-privileged: violates PodSecurity "baseline:v1.34": privileged (PodPatch web, container web: securityContext.privileged is true); accepted: false or unset.',
    ]);
  });

  it("leaves patches out of NetworkPolicy coverage, which the live object's labels decide", async () => {
    expect(await findingsOn(TYPES.podPatch, { spec: { containers: [] } }, BASELINE)).toEqual([]);
    expect((await findingsOn(TYPES.pod, goodPod(), BASELINE)).map((f) => f.split(":")[0])).toEqual([
      "mandatory pod-networkpolicy",
    ]);
  });
});

describe("every kind of @pulumi/kubernetes that holds a pod", () => {
  const tokens = sdkTypeTokens().filter((token) => {
    const kind = kindOf(token) ?? "";
    return POD_PATHS[kind.endsWith(PATCH_SUFFIX) ? kind.slice(0, -PATCH_SUFFIX.length) : kind];
  });

  it("is one of the eight workload kinds or its patch, in every API version the SDK has", () => {
    const kinds = [...new Set(tokens.map((t) => kindOf(t)))].sort();
    expect(kinds).toEqual([
      "CronJob",
      "CronJobPatch",
      "DaemonSet",
      "DaemonSetPatch",
      "Deployment",
      "DeploymentPatch",
      "Job",
      "JobPatch",
      "Pod",
      "PodPatch",
      "ReplicaSet",
      "ReplicaSetPatch",
      "ReplicationController",
      "ReplicationControllerPatch",
      "StatefulSet",
      "StatefulSetPatch",
    ]);
    expect(tokens).toContain("kubernetes:extensions/v1beta1:DeploymentPatch");
  });

  it("fails pss-privileged for a privileged container where the kind keeps its pod", async () => {
    for (const token of tokens) {
      const kind = kindOf(token)!;
      const path = POD_PATHS[kind.replace(/Patch$/, "")];
      const pod: object = {
        metadata: { name: "web" },
        spec: { containers: [{ name: "web", securityContext: { privileged: true } }] },
      };
      // The pod where the kind keeps it: spec.template, spec.jobTemplate.spec.template, or itself.
      const props = path.reduceRight<object>((inner, key) => ({ [key]: inner }), pod);
      const found = (await findingsOn(token, { metadata: { name: "web" }, ...props }, BASELINE))
        .filter((f) => f.startsWith("mandatory pss-"))
        .map((f) => f.split(":")[0]);
      expect(found, token).toEqual(["mandatory pss-privileged"]);
    }
  });
});
