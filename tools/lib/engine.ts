import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EngineEvent, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { SemVer } from "semver";
import { PROJECT_DIR } from "./runCommand";

/**
 * The real-engine harness of the tests and the bench: the Automation API driving the pinned CLI
 * where the npm `pulumi` launcher keeps it ($PULUMI_HOME/versions/<pin>/bin), with a throwaway
 * file backend and passphrase of its own. These settings are the harness's alone; nothing sets
 * them for a user.
 */
const lock = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version: string }>;
};
export const PULUMI_VERSION = lock.packages["node_modules/pulumi"].version;
const PULUMI_HOME = process.env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi");
export const PULUMI_ROOT = path.join(PULUMI_HOME, "versions", PULUMI_VERSION);

/** A backend, passphrase and kubeconfig that live as long as one test file. */
export interface Harness {
  readonly env: Record<string, string>;
  readonly dir: string;
  readonly command: PulumiCommand;
  /** A stack of the project in `workDir` (default: this checkout), created fresh. */
  stack(name: string, workDir?: string): Promise<Stack>;
  /** Removes the stacks' state and the temp folder. */
  close(): void;
}

export async function harness(kubeconfig: string): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "p2p-engine-"));
  fs.mkdirSync(path.join(dir, "state"));
  const command = await PulumiCommand.get({
    root: PULUMI_ROOT,
    version: new SemVer(PULUMI_VERSION),
  });
  const env: Record<string, string> = {
    PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "pod-to-pod-test-only",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    // Offline machines: a missing provider fails at once instead of trying to download.
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    // As the npm launcher does: the language host and policy analyzer beside the CLI come first.
    PATH: `${path.join(PULUMI_ROOT, "bin")}:${process.env.PATH ?? ""}`,
    KUBECONFIG: kubeconfig,
  };
  return {
    env,
    dir,
    command,
    async stack(name, workDir = PROJECT_DIR) {
      return LocalWorkspace.createOrSelectStack(
        { stackName: name, workDir },
        { envVars: env, pulumiCommand: command },
      );
    },
    close() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A stack name no other run uses. */
export function uniqueStack(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}`;
}

/** What the engine said about each resource in a preview or update, by URN. */
export interface Step {
  readonly op: string;
  readonly urn: string;
  readonly type: string;
  readonly parent?: string;
  /** When the engine started the step and when it finished it (ms, this process's clock). */
  readonly startedMs: number;
  doneMs?: number;
}

/** A policy finding as the engine reports it; resourceUrn is absent for stack-wide findings. */
export interface PolicyFinding {
  readonly policyName: string;
  readonly enforcementLevel: string;
  readonly message: string;
  readonly resourceUrn?: string;
}

/** Collects the resource steps and policy findings from engine events. */
export function recorder(): {
  onEvent: (event: EngineEvent) => void;
  steps: Step[];
  policies: Array<PolicyFinding>;
  /** When the engine reported the operation's summary: its work was done (ms, this clock). */
  summaryMs?: number;
} {
  const steps: Step[] = [];
  const policies: Array<PolicyFinding> = [];
  const recorded: ReturnType<typeof recorder> = {
    steps,
    policies,
    // An arrow function: callers pass it on unbound.
    onEvent: (event) => {
      if (event.summaryEvent) {
        recorded.summaryMs = Date.now();
      }
      const pre = event.resourcePreEvent?.metadata;
      if (pre) {
        steps.push({
          op: pre.op,
          urn: pre.urn,
          type: pre.type,
          ...((pre.new ?? pre.old)?.parent ? { parent: (pre.new ?? pre.old)?.parent } : {}),
          startedMs: Date.now(),
        });
      }
      const done = event.resOutputsEvent?.metadata ?? event.resOpFailedEvent?.metadata;
      if (done) {
        const step = steps.find((s) => s.urn === done.urn && s.doneMs === undefined);
        if (step) {
          step.doneMs = Date.now();
        }
      }
      if (event.policyEvent) {
        policies.push(event.policyEvent);
      }
    },
  };
  return recorded;
}

/** A kubeconfig whose API server refuses connections: what a pull-request preview often has. */
export const UNREACHABLE_KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: nowhere
  cluster:
    server: https://127.0.0.1:1
contexts:
- name: nowhere
  context:
    cluster: nowhere
    user: nobody
current-context: nowhere
users:
- name: nobody
  user:
    token: not-a-secret
`;

/**
 * Points a stack at the local cluster's images: built from Debian packages, never pulled. With
 * `everyNode`, the mesh's reporter image too (a key the program before the mesh does not take).
 */
export async function useLocalImages(stack: Stack, everyNode = false): Promise<void> {
  const state = process.env.POD_TO_POD_STATE ?? "/var/lib/pod-to-pod";
  const images = JSON.parse(fs.readFileSync(`${state}/images.json`, "utf8")) as Record<
    string,
    string
  >;
  // Paths, as `pulumi config set --path` writes them: the keys are typed objects in Pulumi.yaml.
  await stack.setAllConfig(
    {
      "pod-to-pod:nginx.image": { value: images.nginx },
      "pod-to-pod:nginx.imagePullPolicy": { value: "Never" },
      "pod-to-pod:busybox.image": { value: images.busybox },
      "pod-to-pod:busybox.imagePullPolicy": { value: "Never" },
      // The every-node mesh's reporters (the mesh pods' pull policy is busybox's).
      ...(everyNode ? { "pod-to-pod:mesh.reporterImage": { value: images.kubectl } } : {}),
    },
    true,
  );
}
