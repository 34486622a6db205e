import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { beforeAll, describe, expect, it } from "vitest";
import { kubernetesPolicies, Policies, policies } from "../../policy/policies";
import { BUSYBOX_URN, busyboxPod, goodPod, goodService, TYPES } from "./harness";

// The pinned @pulumi/policy's own analyzer, fed protobuf requests as the CLI sends them: this
// checks what the unit tests' harness assumes about the SDK (the proxy over props, the level of
// each diagnostic, the object form of reportViolation that reportAdvisory relies on). Its
// functions are internal and untyped, hence the interface.

type Callback = (error: unknown, response?: analyzerproto.AnalyzeResponse) => void;
type Rpc = (call: { request: unknown }, callback: Callback) => Promise<void>;
interface AnalyzerServer {
  makeAnalyzeRpcFun(pack: string, version: string, level: string, policies: Policies): Rpc;
  makeAnalyzeStackRpcFun(pack: string, version: string, level: string, policies: Policies): Rpc;
}

/** What the engine sends for a string it cannot know during a preview. */
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const LEVELS = Object.fromEntries(
  Object.entries(analyzerproto.EnforcementLevel).map(([name, value]) => [value, name]),
);

interface Diagnostic {
  readonly policy: string;
  readonly level: string;
  readonly message: string;
  readonly urn: string;
}

let analyze: Rpc;
let analyzeStack: Rpc;
let analyzeGeneralStack: Rpc;

beforeAll(async () => {
  const server = (await import("@pulumi/policy/server")) as unknown as AnalyzerServer;
  analyze = server.makeAnalyzeRpcFun("pod-to-pod", "0.1.0", "mandatory", policies);
  analyzeStack = server.makeAnalyzeStackRpcFun("pod-to-pod", "0.1.0", "mandatory", policies);
  analyzeGeneralStack = server.makeAnalyzeStackRpcFun(
    "kubernetes-guardrails",
    "0.1.0",
    "mandatory",
    kubernetesPolicies(),
  );
});

function urnOf(type: string, name: string): string {
  return `urn:pulumi:dev::pod-to-pod::${type}::${name}`;
}

function call(rpc: Rpc, request: unknown): Promise<Diagnostic[]> {
  return new Promise((resolve, reject) => {
    void rpc({ request }, (error, response) => {
      if (error || !response) {
        reject(error);
        return;
      }
      resolve(
        response.getDiagnosticsList().map((d) => ({
          policy: d.getPolicyname(),
          level: LEVELS[d.getEnforcementlevel()],
          message: d.getMessage(),
          urn: d.getUrn(),
        })),
      );
    });
  });
}

function analyzeResource(
  type: string,
  name: string,
  props: object,
  urn = urnOf(type, name),
): Promise<Diagnostic[]> {
  const request = new analyzerproto.AnalyzeRequest()
    .setType(type)
    .setName(name)
    .setUrn(urn)
    .setProperties(Struct.fromJavaScript(props as Record<string, never>))
    .setOptions(new analyzerproto.AnalyzerResourceOptions());
  return call(analyze, request);
}

function analyzeResources(
  resources: [string, string, object][],
  rpc: Rpc = analyzeStack,
): Promise<Diagnostic[]> {
  const request = new analyzerproto.AnalyzeStackRequest().setResourcesList(
    resources.map(([type, name, props]) =>
      new analyzerproto.AnalyzerResource()
        .setType(type)
        .setName(name)
        .setUrn(urnOf(type, name))
        .setProperties(Struct.fromJavaScript(props as Record<string, never>))
        .setOptions(new analyzerproto.AnalyzerResourceOptions()),
    ),
  );
  return call(rpc, request);
}

describe("the pinned @pulumi/policy analyzer running the pack", () => {
  it("passes the happy path with no diagnostic", async () => {
    expect(await analyzeResource(TYPES.pod, "nginx-pod", goodPod())).toEqual([]);
  });

  it("shows busybox's exemption as one advisory diagnostic of a mandatory policy", async () => {
    const diagnostics = await analyzeResource(TYPES.pod, "busybox-pod", busyboxPod(), BUSYBOX_URN);
    expect(diagnostics).toEqual([
      expect.objectContaining({ policy: "pod-security-exemptions", level: "ADVISORY", urn: "" }),
    ]);
    expect(diagnostics[0].message).toMatch(
      /^Pod busybox-client, container busybox may add NET_RAW \(pss-capabilities\) and run as root/,
    );
  });

  it("fails, naming the control, a pod that runs as root, mounts nfs or sets kernel.msgmax", async () => {
    const pods = {
      "runs as root": goodPod((p) => {
        p.spec.containers[0].securityContext!.runAsUser = 0;
      }),
      "mounts nfs": goodPod((p) => {
        p.spec.volumes = [{ name: "share", nfs: { server: "10.0.0.2", path: "/export" } }];
      }),
      "sets kernel.msgmax": goodPod((p) => {
        p.spec.securityContext!.sysctls = [{ name: "kernel.msgmax", value: "65536" }];
      }),
    };
    const found: Record<string, string[]> = {};
    for (const [flaw, pod] of Object.entries(pods)) {
      // The pss-* policies are stack policies: each finding points at its pod.
      expect(await analyzeResource(TYPES.pod, "nginx-pod", pod)).toEqual([]);
      const stack = await analyzeResources([[TYPES.pod, "nginx-pod", pod]]);
      found[flaw] = stack
        .filter((d) => d.policy.startsWith("pss-"))
        .map((d) => {
          expect(d.urn).toBe(urnOf(TYPES.pod, "nginx-pod"));
          const [description, finding] = d.message.split("\n");
          return `${d.level} ${d.policy}: ${description} | ${finding.split(" (")[0]}`;
        });
    }
    expect(found).toEqual({
      "runs as root": [
        'MANDATORY pss-run-as-user: Pod Security Standards, Running as Non-root user (restricted): runAsUser is not 0, on the pod or any container (from v1.35 any value with hostUsers: false). | violates PodSecurity "restricted:v1.34": runAsUser=0',
      ],
      "mounts nfs": [
        'MANDATORY pss-volume-types: Pod Security Standards, Volume Types (restricted): volumes are of the types configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret. | violates PodSecurity "restricted:v1.34": restricted volume types',
      ],
      "sets kernel.msgmax": [
        'MANDATORY pss-sysctls: Pod Security Standards, Sysctls (baseline): the pod sets only the safe sysctls. | violates PodSecurity "restricted:v1.34": forbidden sysctls',
      ],
    });
  });

  it("applies the version a Namespace of the stack pins, to the pods in it only", async () => {
    const rootInUserNamespace = (namespace: string) =>
      goodPod((p) => {
        p.metadata.namespace = namespace;
        p.spec.hostUsers = false;
        p.spec.containers[0].securityContext!.runAsUser = 0;
      });
    const namespace = {
      metadata: {
        name: "users",
        labels: { "pod-security.kubernetes.io/enforce-version": "v1.35" },
      },
    };
    const diagnostics = await analyzeResources([
      [TYPES.namespace, "users", namespace],
      [TYPES.pod, "in-users", rootInUserNamespace("users")],
      [TYPES.pod, "in-lab", rootInUserNamespace("pod-to-pod")],
    ]);
    const pss = diagnostics.filter((d) => d.policy.startsWith("pss-"));
    expect(pss.map((d) => `${d.policy} ${d.urn}`)).toEqual([
      `pss-run-as-user ${urnOf(TYPES.pod, "in-lab")}`,
    ]);
  });

  it("turns a pod a preview cannot know into an advisory on that pod, checking the others", async () => {
    const unknown = goodPod((p) => {
      (p.spec as Record<string, unknown>).securityContext = UNKNOWN_STRING;
    });
    const root = goodPod((p) => {
      p.spec.containers[0].securityContext!.runAsUser = 0;
    });
    const diagnostics = await analyzeResources([
      [TYPES.pod, "unknown-pod", unknown],
      [TYPES.pod, "root-pod", root],
    ]);
    const runAsUser = diagnostics.filter((d) => d.policy === "pss-run-as-user");
    expect(runAsUser.map((d) => `${d.level} ${d.urn}`)).toEqual([
      `ADVISORY ${urnOf(TYPES.pod, "unknown-pod")}`,
      `MANDATORY ${urnOf(TYPES.pod, "root-pod")}`,
    ]);
    expect(runAsUser[0].message).toMatch(
      /^Pod nginx-server cannot be checked until a value the preview does not know is known \(.*\.spec\.securityContext.*\)\.$/,
    );
  });

  it("reports a flaw as mandatory, after the policy's description", async () => {
    const pod = goodPod((p) => {
      p.spec.containers[0].image = "nginx:latest";
    });
    const [diagnostic, ...rest] = await analyzeResource(TYPES.pod, "nginx-pod", pod);
    expect(rest).toEqual([]);
    expect(diagnostic).toMatchObject({ policy: "image-pinned", level: "MANDATORY" });
    expect(diagnostic.message).toBe(
      'Container images are pinned: a tag other than latest, or a sha256 digest.\nPod nginx-server, container nginx: image "nginx:latest" uses the tag latest, which moves with every release; accepted: a fixed tag (nginx:<version>) or a digest (nginx@sha256:<64 hex digits>).',
    );
  });

  it("names a Pod by its Pulumi name when a preview cannot know metadata.name", async () => {
    const pod = goodPod((p) => {
      p.metadata.name = UNKNOWN_STRING;
      p.spec.containers[0].image = "nginx";
    });
    const [diagnostic] = await analyzeResource(TYPES.pod, "nginx-pod", pod);
    expect(diagnostic.message).toContain(
      '\nPod nginx-pod, container nginx: image "nginx" has no tag',
    );
  });

  it("turns a namespace a preview cannot know into the SDK's advisory note, not an error", async () => {
    const pod = goodPod((p) => {
      p.metadata.namespace = UNKNOWN_STRING;
    });
    const diagnostics = await analyzeResource(TYPES.pod, "nginx-pod", pod);
    expect(diagnostics).toEqual([
      expect.objectContaining({ policy: "namespace-not-default", level: "ADVISORY" }),
    ]);
    expect(diagnostics[0].message).toMatch(
      /can't run policy 'namespace-not-default'.* during preview/,
    );
  });

  it("still runs every policy that does not need labels a preview cannot know", async () => {
    const pod = goodPod((p) => {
      (p.metadata as Record<string, unknown>).labels = UNKNOWN_STRING;
      p.spec.containers[0].image = "nginx:latest";
    });
    const diagnostics = await analyzeResource(TYPES.pod, "nginx-pod", pod);
    expect(diagnostics.map((d) => `${d.level} ${d.policy}`)).toEqual([
      "MANDATORY image-pinned",
      "ADVISORY required-labels",
    ]);
    expect(diagnostics[1].message).toContain("string value at .metadata.labels can't be known");
  });

  it("runs service-targets on the stack, pointing at the Service", async () => {
    const onServices = (diagnostics: Diagnostic[]) =>
      diagnostics.filter((d) => d.policy === "service-targets");
    const fine = await analyzeResources([
      [TYPES.pod, "nginx-pod", goodPod()],
      [TYPES.service, "nginx-service", goodService()],
    ]);
    expect(onServices(fine)).toEqual([]);
    const broken = goodService((s) => {
      s.spec.ports = [{ port: 80, targetPort: "web" }];
    });
    const [diagnostic, ...rest] = onServices(
      await analyzeResources([
        [TYPES.pod, "nginx-pod", goodPod()],
        [TYPES.service, "nginx-service", broken],
      ]),
    );
    expect(rest).toEqual([]);
    expect(diagnostic).toMatchObject({
      policy: "service-targets",
      level: "MANDATORY",
      urn: urnOf(TYPES.service, "nginx-service"),
    });
    expect(diagnostic.message).toContain('targets port name "web", which no selected Pod');
  });

  it("keeps a patch's known privileged container mandatory beside values a preview cannot know", async () => {
    const patch = {
      metadata: { name: "web", namespace: UNKNOWN_STRING },
      spec: {
        template: {
          metadata: { labels: UNKNOWN_STRING },
          spec: {
            containers: [
              { name: "web", image: UNKNOWN_STRING, securityContext: { privileged: true } },
            ],
          },
        },
      },
    };
    const diagnostics = await analyzeResources(
      [[TYPES.deploymentPatch, "web-patch", patch]],
      analyzeGeneralStack,
    );
    expect(diagnostics.map((d) => `${d.level} ${d.policy} ${d.urn}`)).toEqual([
      `MANDATORY pss-privileged ${urnOf(TYPES.deploymentPatch, "web-patch")}`,
      ...["pss-capabilities", "pss-seccomp", "pss-privilege-escalation", "pss-run-as-non-root"].map(
        (policy) => `ADVISORY ${policy} ${urnOf(TYPES.deploymentPatch, "web-patch")}`,
      ),
    ]);
    expect(diagnostics[0].message.split("\n")[1]).toBe(
      'violates PodSecurity "restricted:v1.34": privileged (DeploymentPatch web (pod template), container web: securityContext.privileged is true); accepted: false or unset.',
    );
  });
});
