/**
 * `npm run verify`: re-runs the connectivity checks against the deployed stack without changing
 * it, and prints the report. It reads the stack's outputs through the Pulumi CLI and its whole
 * config, secrets included, through the Automation API (the selected stack, or PULUMI_STACK), so it
 * checks exactly what `pulumi up` deployed, with the cluster access the stack's kubernetes provider
 * has, and exits 1 when a check fails.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { kubeconfigSource } from "../checks/probe/kubeconfig";
import { kubectl } from "../checks/probe/kubectl";
import { renderReport } from "../checks/report/report";
import { labPlan } from "../checks/plan/labPlan";
import { runPlan } from "../checks/runPlan";
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

  // The plan `pulumi up` ran, from the one plan builder: the pair, the stranger where the lab
  // isolates itself, every node's paths with coverage every-node.
  const plan = labPlan(
    {
      namespace,
      names: LAB_NAMES,
      server: { uid: nginxPodUid, ip: nginxPodIp, node: nginxNode },
      client: { ip: busyboxPodIp, node: busyboxNode },
      serviceClusterIp,
    },
    config,
  );
  const verification = await runPlan(
    plan,
    (args, timeoutMs) => kubectl(args, timeoutMs, process.env, kubeconfig),
    {
      runnerVersion: runnerVersion(path.join(__dirname, "../checks")),
      ...(plain["kubernetes:context"] ? { kubeContext: plain["kubernetes:context"] } : {}),
    },
  );
  // For the workflows' reports and the tests: the verdict itself, as the runner writes it.
  if (process.env.POD_TO_POD_VERIFICATION_FILE) {
    fs.writeFileSync(process.env.POD_TO_POD_VERIFICATION_FILE, JSON.stringify(verification) + "\n");
  }
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
