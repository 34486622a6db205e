import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  podSecurityPolicies,
  Profile,
  Version,
  VERSION_LABEL,
  VERSIONS,
} from "../../policy/policies";
import { kubectlSync as kubectl, mustKubectl } from "../../tools/lib/kubectlLab";
import { check, goodPod, PodManifest, TYPES } from "../policy/harness";
import { Case, CASES, PROFILES } from "../policy/podSecurity/cases";

/**
 * The live reference: every Pod Security Standards case of the pack (test/policy/podSecurity/
 * cases.ts) and the walkthrough's own Pods, sent to the local k3s API server with server-side dry
 * run into a namespace enforcing baseline and one enforcing restricted, at the cluster's own
 * version; the pack, at that version, must decide each alike: admitted or refused, and refused for
 * the same Pod Security Admission reasons; so must the Pods of the guarded program's YAML manifest,
 * which the general pack judges as children of a yaml.v2.ConfigFile. Ephemeral containers reach Pod Security Admission only
 * through the pod's ephemeralcontainers subresource (the API refuses them at create), so those
 * cases go there, on a pod that exists but is never scheduled. The namespaces are deleted
 * afterwards.
 */
const RUN = `${process.pid}`;
const namespaceOf = (profile: Profile) => `psa-ref-${profile}-${RUN}`;
/** The pod the ephemeral-container cases are added to: bound to no node, so it never runs. */
const HOST_POD = "ephemeral-host";

let version: Version;

/** A case as the live reference sends it: its name in the cluster and its Pod. */
interface LiveCase {
  readonly label: string;
  readonly name: string;
  readonly pod: PodManifest;
  /** Sent through the ephemeralcontainers subresource of {@link HOST_POD}. */
  readonly ephemeral: boolean;
  /** Where the API server may refuse it as invalid first (see {@link Case.invalid}). */
  readonly invalid?: Case["invalid"];
}

/** The walkthrough's Pods (test/policy/fixtures/walkthrough.md), each a case of its own. */
function walkthroughPods(): PodManifest[] {
  const text = fs.readFileSync(
    path.join(__dirname, "..", "policy", "fixtures", "walkthrough.md"),
    "utf8",
  );
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .flatMap((m) => parseAllDocuments(m[1]).map((doc) => doc.toJS()))
    .filter((m) => m.kind === "Pod");
}

/** The Pods of the guarded program's manifest (test/fixtures/guarded-program), a chart's peers. */
function manifestPods(): PodManifest[] {
  const text = fs.readFileSync(
    path.join(__dirname, "..", "fixtures", "guarded-program", "manifests", "shop.yaml"),
    "utf8",
  );
  return parseAllDocuments(text)
    .map((doc) => doc.toJS())
    .filter((m) => m.kind === "Pod");
}

const LIVE: LiveCase[] = [
  { label: "the happy path", name: "happy", pod: goodPod(), ephemeral: false },
  ...CASES.map((c, i) => {
    const pod = goodPod(c.change);
    return {
      label: `${c.control}: ${c.value}`,
      name: `case-${i}`,
      pod,
      ephemeral: (pod.spec.ephemeralContainers ?? []).length > 0,
      invalid: c.invalid,
    };
  }),
  ...walkthroughPods().map((pod) => ({
    label: `the walkthrough's Pod ${pod.metadata.name}`,
    name: `walkthrough-${pod.metadata.name}`,
    pod,
    ephemeral: false,
  })),
  ...manifestPods().map((pod) => ({
    label: `the guarded program's manifest Pod ${pod.metadata.name}`,
    name: `manifest-${pod.metadata.name}`,
    pod,
    ephemeral: false,
  })),
];

/** The case's Pod, named for the cluster and placed in the profile's namespace. */
function manifestOf(c: LiveCase, profile: Profile): object {
  return {
    apiVersion: "v1",
    kind: "Pod",
    ...c.pod,
    metadata: { ...c.pod.metadata, name: c.name, namespace: namespaceOf(profile) },
  };
}

/** What decided a case: admitted, refused for these reasons, or something else (with its text). */
type Outcome =
  | { readonly kind: "admitted" }
  | { readonly kind: "refused"; readonly reasons: readonly string[] }
  | { readonly kind: "other"; readonly text: string };

/**
 * The reasons of a Pod Security Admission rejection, as `violates PodSecurity "restricted:v1.33":
 * host namespaces (hostNetwork=true), hostPort (container "nginx" uses hostPort 80)` lists them:
 * each reason, then its detail in parentheses.
 */
export function rejectionReasons(message: string): string[] {
  const at = /violates PodSecurity "[^"]+": /.exec(message);
  if (at === null) {
    throw new Error(`not a Pod Security Admission rejection: ${message}`);
  }
  const reasons: string[] = [];
  let reason = "";
  let depth = 0;
  for (const char of message.slice(at.index + at[0].length)) {
    if (char === "(") {
      depth++;
    } else if (char === ")") {
      depth--;
    } else if (depth === 0 && char === ",") {
      reasons.push(reason.trim());
      reason = "";
    } else if (depth === 0) {
      reason += char;
    }
  }
  reasons.push(reason.trim());
  return reasons.filter((r) => r !== "");
}

/** PSA pluralises a reason by how many values it found; the pack names each value once. */
function normalise(reason: string): string {
  return reason === "forbidden AppArmor profiles" ? "forbidden AppArmor profile" : reason;
}

/** The API server's decision on each case under a profile, by case name. */
function serverOutcomes(profile: Profile): Map<string, Outcome> {
  const outcomes = new Map<string, Outcome>();
  const created = LIVE.filter((c) => !c.ephemeral);
  const list = {
    apiVersion: "v1",
    kind: "List",
    items: created.map((c) => manifestOf(c, profile)),
  };
  const applied = kubectl(["apply", "--dry-run=server", "-f", "-"], JSON.stringify(list));
  const lines = `${applied.stdout}\n${applied.stderr}`.split("\n");
  for (const c of created) {
    const admitted = lines.some((l) => l.trim() === `pod/${c.name} created (server dry run)`);
    const error = lines.find((l) => new RegExp(`\\bpods? "${c.name}" is `, "i").test(l));
    outcomes.set(c.name, outcomeOf(admitted, error));
  }
  for (const c of LIVE.filter((l) => l.ephemeral)) {
    outcomes.set(c.name, ephemeralOutcome(c, profile));
  }
  return outcomes;
}

function outcomeOf(admitted: boolean, error: string | undefined): Outcome {
  if (admitted && error === undefined) {
    return { kind: "admitted" };
  }
  if (!admitted && error !== undefined && /violates PodSecurity/.test(error)) {
    return { kind: "refused", reasons: rejectionReasons(error).map(normalise).sort() };
  }
  return { kind: "other", text: error ?? "neither created nor refused" };
}

/** Adds the case's ephemeral containers to the host pod, as `kubectl debug` would, in dry run. */
function ephemeralOutcome(c: LiveCase, profile: Profile): Outcome {
  const namespace = namespaceOf(profile);
  const host = JSON.parse(mustKubectl(["get", "pod", "-n", namespace, HOST_POD, "-o", "json"]));
  host.spec.ephemeralContainers = c.pod.spec.ephemeralContainers;
  const replaced = kubectl(
    [
      "replace",
      "--raw",
      `/api/v1/namespaces/${namespace}/pods/${HOST_POD}/ephemeralcontainers?dryRun=All`,
      "-f",
      "-",
    ],
    JSON.stringify(host),
  );
  const text = `${replaced.stdout}\n${replaced.stderr}`;
  if (replaced.code === 0) {
    return { kind: "admitted" };
  }
  return /violates PodSecurity/.test(text)
    ? { kind: "refused", reasons: rejectionReasons(text).map(normalise).sort() }
    : { kind: "other", text: text.trim() };
}

/** The pack's decision on each case, its pss-* policies run with the namespace as the stack has it. */
async function packOutcome(c: LiveCase, profile: Profile): Promise<Outcome> {
  const namespace = {
    type: TYPES.namespace,
    name: namespaceOf(profile),
    inputs: { metadata: { name: namespaceOf(profile), labels: { [VERSION_LABEL]: version } } },
  };
  const reasons = new Set<string>();
  for (const policy of podSecurityPolicies) {
    const found = await check(policy, manifestOf(c, profile), {
      config: { profile },
      alongside: [namespace],
    });
    for (const { message } of found) {
      const header = /^violates PodSecurity "([^"]+)": (.+?) \(/.exec(message);
      expect(header?.[1], message).toBe(`${profile}:${version}`);
      reasons.add(header![2]);
    }
  }
  return reasons.size === 0
    ? { kind: "admitted" }
    : { kind: "refused", reasons: [...reasons].sort() };
}

function describeOutcome(o: Outcome): string {
  switch (o.kind) {
    case "admitted":
      return "admitted";
    case "refused":
      return `refused: ${o.reasons.join(", ")}`;
    case "other":
      return `not decided by Pod Security Admission: ${o.text}`;
  }
}

/** Polls once a second until the condition holds, failing after 60 s with what it waited for. */
function waitFor(what: string, holds: () => boolean): void {
  for (let i = 0; i < 60; i++) {
    if (holds()) {
      return;
    }
    spawnSync("sleep", ["1"]);
  }
  throw new Error(`${what} did not appear within 60 s`);
}

beforeAll(() => {
  const server = JSON.parse(mustKubectl(["version", "-o", "json"])).serverVersion as {
    major: string;
    minor: string;
  };
  const found = VERSIONS.find((v) => v === `v${server.major}.${server.minor.replace(/\D+$/, "")}`);
  if (found === undefined) {
    throw new Error(
      `the cluster runs Kubernetes ${server.major}.${server.minor}, whose Pod Security Admission rules the pack does not know (it knows ${VERSIONS.join(", ")})`,
    );
  }
  version = found;
  for (const profile of PROFILES) {
    const namespace = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: namespaceOf(profile),
        labels: {
          "pod-security.kubernetes.io/enforce": profile,
          [VERSION_LABEL]: version,
        },
      },
    };
    mustKubectl(["create", "-f", "-"], JSON.stringify(namespace));
    // Admission looks up the pod's service account: wait for the controller to make `default`.
    waitFor(
      `the default service account of ${namespaceOf(profile)}`,
      () => kubectl(["get", "serviceaccount", "default", "-n", namespaceOf(profile)]).code === 0,
    );
    // The ephemeral cases' host: admitted under restricted, and held by a scheduling gate that
    // nothing lifts, so it is never scheduled, run or pulled.
    const host = goodPod((p) => {
      (p.spec as Record<string, unknown>).schedulingGates = [{ name: "pod-to-pod/never" }];
    });
    mustKubectl(
      ["create", "-f", "-"],
      JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        ...host,
        metadata: { ...host.metadata, name: HOST_POD, namespace: namespaceOf(profile) },
      }),
    );
  }
});

afterAll(() => {
  // Waited for, so a run leaves the cluster as it found it (the host pod, never scheduled, goes at once).
  const names = PROFILES.map(namespaceOf);
  const deleted = kubectl([
    "delete",
    "namespace",
    ...names,
    "--ignore-not-found",
    "--timeout=120s",
  ]);
  if (deleted.code !== 0) {
    throw new Error(
      `the live reference's namespaces ${names.join(", ")} were not deleted: ${deleted.stderr}`,
    );
  }
});

describe("the pack and the cluster's Pod Security Admission", () => {
  it.each(PROFILES)(
    "decide every case alike under enforce=%s at the cluster's version",
    async (profile) => {
      const server = serverOutcomes(profile);
      const disagreements: string[] = [];
      const invalidSeen: string[] = [];
      for (const c of LIVE) {
        const cluster = server.get(c.name)!;
        const pack = await packOutcome(c, profile);
        // A pod the API server finds invalid never reaches PSA; the case says when that may be.
        const refusedAsInvalid =
          cluster.kind === "other" &&
          c.invalid !== undefined &&
          c.invalid.message.test(cluster.text) &&
          pack.kind === "refused";
        if (refusedAsInvalid) {
          invalidSeen.push(`${c.label}: ${c.invalid!.because}`);
        } else if (describeOutcome(cluster) !== describeOutcome(pack)) {
          disagreements.push(
            `${c.label} (${c.name}): the API server ${describeOutcome(cluster)}; the pack ${describeOutcome(pack)}`,
          );
        }
      }
      expect(disagreements, `${profile}:${version}`).toEqual([]);
      // Cases the cluster admits and refuses both, so agreement is not all one way.
      const kinds = new Set([...server.values()].map((o) => o.kind));
      expect([...kinds].filter((k) => k !== "other").sort()).toEqual(["admitted", "refused"]);
      console.log(
        `${profile}:${version}: ${LIVE.length} cases, 0 disagreements; refused as invalid before admission, by both: ${invalidSeen.join("; ") || "none"}`,
      );
    },
  );
});
