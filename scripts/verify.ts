/**
 * `npm run verify`: re-runs the connectivity checks against the deployed stack without changing
 * it, and prints the report. It reads the stack's outputs through the Pulumi CLI and its whole
 * config, secrets included, through the Automation API (the selected stack, or PULUMI_STACK), so it
 * checks exactly what `pulumi up` deployed, with the cluster access the stack's kubernetes provider
 * has, and exits 1 when a check fails.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { kubeconfigSource } from "../checks/kubeconfig";
import { kubectl } from "../checks/kubectl";
import { renderReport } from "../checks/report";
import { meshPlanOf } from "../components/meshPlan";
import { runMesh, withMesh } from "../checks/meshRun";
import { runChecks } from "../checks/runChecks";
import { runnerVersion } from "../checks/runner";
import { LAB_NAMES } from "../components/names";
import { parseLabConfig, readRawLabConfig } from "../config";
import { readStackConfig } from "../config/stackConfig";
import { StackOutputs } from "./lib/stackOutputs";

function pulumiCli(args: string[]): string {
  const stack = process.env.PULUMI_STACK ? ["--stack", process.env.PULUMI_STACK] : [];
  return execFileSync("pulumi", [...args, ...stack], { encoding: "utf8" });
}

function pulumiJson<T>(args: string[]): T {
  return JSON.parse(pulumiCli([...args, "--json"])) as T;
}

/**
 * The stack's whole config in plain text, secrets decrypted, read through the Automation API: the
 * values the program deployed with, secret keys included (`kubernetes:kubeconfig` among them).
 */
async function stackConfig(): Promise<Record<string, string>> {
  const workspace = await LocalWorkspace.create({ workDir: path.join(__dirname, "..") });
  const stackName = process.env.PULUMI_STACK ?? (await workspace.stack())?.name;
  if (!stackName) {
    throw new Error("no stack is selected; run pulumi stack select <stack>, or set PULUMI_STACK");
  }
  return readStackConfig(workspace, stackName);
}

async function main(): Promise<number> {
  const outputs = pulumiJson<Partial<StackOutputs>>(["stack", "output"]);
  const missing = (
    [
      "namespace",
      "nginxPodIp",
      "nginxPodUid",
      "busyboxPodIp",
      "serviceClusterIp",
      "nginxNode",
      "busyboxNode",
    ] as const
  ).filter((key) => !outputs[key]);
  if (missing.length > 0) {
    throw new Error(`the stack has no ${missing.join(", ")} output; run pulumi up first`);
  }
  const {
    namespace,
    nginxPodIp,
    nginxPodUid,
    busyboxPodIp,
    serviceClusterIp,
    nginxNode,
    busyboxNode,
  } = outputs as StackOutputs;
  const plain = await stackConfig();
  const config = parseLabConfig(readRawLabConfig(plain));
  // kubernetes:kubeconfig is usually a secret; without it verify would quietly check whatever
  // cluster KUBECONFIG points at. It reaches kubectl by a pipe.
  const kubeconfig = kubeconfigSource(plain["kubernetes:kubeconfig"]);

  const check = () =>
    runChecks(
      {
        namespace,
        serverPod: LAB_NAMES.serverPod,
        serverPodUid: nginxPodUid,
        clientPod: LAB_NAMES.clientPod,
        clientContainer: LAB_NAMES.clientContainer,
        serviceName: LAB_NAMES.service,
        serverPodIp: nginxPodIp,
        clientPodIp: busyboxPodIp,
        serverNode: nginxNode,
        clientNode: busyboxNode,
        serviceClusterIp,
        servicePort: config.servicePort,
        serverPort: config.nginx.port,
        clusterDomain: config.clusterDomain,
        pingCount: config.checks.pingCount,
        timeoutSeconds: config.checks.timeoutSeconds,
      },
      (args, timeoutMs) => kubectl(args, timeoutMs, process.env, kubeconfig),
      { runnerVersion: runnerVersion(path.join(__dirname, "../checks")) },
      plain["kubernetes:context"],
    );
  // With coverage every-node, the mesh again too, from the same settings the program used.
  const mesh = () =>
    config.coverage === "every-node"
      ? runMesh(
          meshPlanOf({
            namespace,
            servicePort: config.servicePort,
            echoPort: config.nginx.port,
            clusterDomain: config.clusterDomain,
            timeoutSeconds: config.checks.timeoutSeconds,
            settings: config.mesh,
          }),
          (args, timeoutMs) => kubectl(args, timeoutMs, process.env, kubeconfig),
          plain["kubernetes:context"],
        )
      : Promise.resolve(undefined);
  const [pair, meshOutcome] = await Promise.all([check(), mesh()]);
  const verification = meshOutcome ? withMesh(pair, meshOutcome) : pair;
  process.stdout.write(renderReport(verification) + "\n");
  return verification.failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`verify: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
