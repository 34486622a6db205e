import { describe, expect, it } from "vitest";
import {
  parseVersionLabel,
  podSecurityVersion,
  PROFILE_DEFAULTS,
  VERSION_LABEL,
} from "../../../policy/policies";
import { check, goodPod, pss, runStackPolicy, policyResource, TYPES } from "../harness";

// Which version's rules apply to a pod: the configured one, or its namespace's enforce-version
// label where the stack declares that namespace. Told apart by a pod that only v1.35 admits under
// restricted (root in a user namespace) and one that only v1.33 admits (a host in a probe).

const runAsUser = pss("pss-run-as-user");
const hostProbes = pss("pss-host-probes");

/** Runs as root in its own user namespace, in the given namespace. */
const rootInUserNamespace = (namespace?: string) =>
  goodPod((p) => {
    p.metadata.namespace = namespace;
    p.spec.hostUsers = false;
    p.spec.containers[0].securityContext!.runAsUser = 0;
  });

/** Its readiness probe asks another host. */
const probeElsewhere = goodPod((p) => {
  p.spec.containers[0].readinessProbe = { httpGet: { path: "/", port: 80, host: "10.0.0.1" } };
});

/** A Namespace of the stack, with the enforce-version label when given. */
function namespace(name: string, version?: string) {
  return {
    type: TYPES.namespace,
    name,
    inputs: {
      metadata: { name, labels: version === undefined ? {} : { [VERSION_LABEL]: version } },
    },
  };
}

/** The versions the findings of a policy on a pod name, as `restricted:v1.34`. */
async function versionsNamed(...args: Parameters<typeof check>): Promise<string[]> {
  return (await check(...args)).map((v) => /^violates PodSecurity "([^"]+)"/.exec(v.message)![1]);
}

describe("the version setting", () => {
  it("defaults to v1.34, which refuses both what v1.33 and what v1.35 refuse", async () => {
    expect(PROFILE_DEFAULTS.version).toBe("v1.34");
    expect(await versionsNamed(runAsUser, rootInUserNamespace("lab"))).toEqual([
      "restricted:v1.34",
    ]);
    expect(await versionsNamed(hostProbes, probeElsewhere)).toEqual(["restricted:v1.34"]);
  });

  it("takes each version in Pod Security Admission's syntax, latest being v1.35", async () => {
    const at = (version: string) => ({ config: { version } });
    expect(await versionsNamed(runAsUser, rootInUserNamespace(), at("v1.33"))).toEqual([
      "restricted:v1.33",
    ]);
    expect(await versionsNamed(runAsUser, rootInUserNamespace(), at("v1.35"))).toEqual([]);
    expect(await versionsNamed(runAsUser, rootInUserNamespace(), at("latest"))).toEqual([]);
    expect(await versionsNamed(hostProbes, probeElsewhere, at("v1.33"))).toEqual([]);
    expect(await versionsNamed(hostProbes, probeElsewhere, at("latest"))).toEqual([
      "restricted:v1.35",
    ]);
  });
});

describe("a Namespace of the stack labelled with an enforce-version", () => {
  it("sets the version for its pods, over the config", async () => {
    const pod = rootInUserNamespace("users");
    expect(await check(runAsUser, pod, { alongside: [namespace("users", "v1.35")] })).toEqual([]);
    expect(
      await versionsNamed(runAsUser, pod, {
        alongside: [namespace("users", "v1.33")],
        config: { version: "v1.35" },
      }),
    ).toEqual(["restricted:v1.33"]);
  });

  it("leaves the pods of other namespaces at the configured version", async () => {
    const alongside = [namespace("users", "v1.35"), namespace("lab")];
    expect(await versionsNamed(runAsUser, rootInUserNamespace("lab"), { alongside })).toEqual([
      "restricted:v1.34",
    ]);
  });

  it("covers a pod that names no namespace when it is default", async () => {
    expect(
      await check(runAsUser, rootInUserNamespace(undefined), {
        alongside: [namespace("default", "v1.35")],
      }),
    ).toEqual([]);
  });

  it("keeps the configured version for latest, which means the cluster's own", async () => {
    const alongside = [namespace("users", "latest")];
    expect(
      await versionsNamed(runAsUser, rootInUserNamespace("users"), {
        alongside,
        config: { version: "v1.33" },
      }),
    ).toEqual(["restricted:v1.33"]);
  });

  it("keeps the configured version for one the pack does not know", async () => {
    for (const label of ["v1.36", "v1.32", "1.35", "v1.035"]) {
      const alongside = [namespace("users", label)];
      expect(await versionsNamed(runAsUser, rootInUserNamespace("users"), { alongside })).toEqual([
        "restricted:v1.34",
      ]);
    }
  });
});

describe("pod-security-version", () => {
  const run = (...namespaces: ReturnType<typeof namespace>[]) =>
    runStackPolicy(
      podSecurityVersion,
      namespaces.map((n) => policyResource(n.type, n.inputs, n.name)),
    );

  it("accepts the versions the pack knows, latest, and no label", async () => {
    expect(
      await run(
        namespace("a", "v1.33"),
        namespace("b", "v1.34"),
        namespace("c", "v1.35"),
        namespace("d", "latest"),
        namespace("e"),
      ),
    ).toEqual([]);
  });

  it("fails a version it does not know, and a value PSA would not parse, naming what it takes", async () => {
    const found = await run(namespace("new", "v1.36"), namespace("typo", "1.35"));
    expect(found.map((v) => v.message)).toEqual([
      `Namespace new sets ${VERSION_LABEL}: the pack does not know the rules of "v1.36" (it knows v1.33, v1.34, v1.35), so its pods are checked at the pss-* policies' configured version instead; accepted: v1.33, v1.34, v1.35, latest.`,
      `Namespace typo sets ${VERSION_LABEL}: "1.35" is not a Pod Security Admission version, so its pods are checked at the pss-* policies' configured version instead; accepted: v1.33, v1.34, v1.35, latest.`,
    ]);
    expect(found.map((v) => v.level)).toEqual(["mandatory", "mandatory"]);
    expect(found[0].urn).toMatch(/::new$/);
  });

  it("reads the label as Pod Security Admission parses it", () => {
    expect(parseVersionLabel("v1.34")).toEqual({ kind: "version", version: "v1.34" });
    expect(parseVersionLabel("latest")).toEqual({ kind: "latest" });
    expect(parseVersionLabel("v1.0").kind).toBe("unknown");
    expect(parseVersionLabel("v2.0").kind).toBe("unknown");
    expect(parseVersionLabel("v1.34.1").kind).toBe("unknown");
  });
});
