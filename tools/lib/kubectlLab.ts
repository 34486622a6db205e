/**
 * The lab seen through kubectl: apply rendered objects, wait for them, and read back the facts the
 * checks need. Used by the cluster test (the check runner with no engine), the fault suite and the
 * bench.
 */
import { spawnSync } from "node:child_process";
import { mustRun, Run, runCommand } from "./runCommand";
import { RunPlan } from "../../checks/contract/types";
import { labPlan, PlanConfig } from "../../checks/plan/labPlan";
import { LAB_NAMES } from "../../components/names";
import { CUT_RC } from "../../checks/probe/script";

/** Runs kubectl synchronously (KUBECONFIG from the environment), optionally with stdin. */
export function kubectlSync(args: string[], input?: string): Run {
  return runCommand("kubectl", args, {
    timeoutMs: 180_000,
    ...(input !== undefined ? { input } : {}),
  });
}

/** kubectlSync that throws, with kubectl's error, unless it succeeded. */
export function mustKubectl(args: string[], input?: string): string {
  return mustRun("kubectl", args, { timeoutMs: 180_000, ...(input !== undefined ? { input } : {}) })
    .stdout;
}

/** Waits, as `pulumi up` would, until the lab's pods are Ready and the Service has an endpoint. */
export function waitForLab(namespace: string, timeoutSeconds = 180): void {
  const stranger = kubectlSync([
    "get",
    "pod",
    "-n",
    namespace,
    LAB_NAMES.strangerPod,
    "-o",
    "name",
  ]);
  const pods = [
    `pod/${LAB_NAMES.serverPod}`,
    `pod/${LAB_NAMES.clientPod}`,
    ...(stranger.code === 0 && stranger.stdout.trim() ? [`pod/${LAB_NAMES.strangerPod}`] : []),
  ];
  mustKubectl([
    "wait",
    "-n",
    namespace,
    "--for=condition=Ready",
    ...pods,
    `--timeout=${timeoutSeconds}s`,
  ]);
  const jsonpath = "jsonpath={.subsets[*].addresses[*].ip}";
  for (let i = 0; i < timeoutSeconds; i++) {
    if (
      mustKubectl([
        "get",
        "endpoints",
        "-n",
        namespace,
        LAB_NAMES.service,
        "-o",
        jsonpath,
      ]).trim() !== ""
    ) {
      return;
    }
    spawnSync("sleep", ["1"]);
  }
  throw new Error(`${LAB_NAMES.service} got no endpoint within ${timeoutSeconds} s`);
}

/** The settings of a plan that do not come from the cluster: whether it isolates itself does. */
export type PlanSettings = Omit<PlanConfig, "networkPolicy">;

/**
 * Reads the deployed lab's pod IPs, nodes and ClusterIP, and whether its stranger is there (the lab
 * isolates itself then), into the runner's plan through the one plan builder.
 */
export function observePlan(namespace: string, settings: PlanSettings): RunPlan {
  const pods = JSON.parse(mustKubectl(["get", "pods", "-n", namespace, "-o", "json"])) as {
    items: Array<{
      metadata: { name: string; uid: string };
      spec: { nodeName: string };
      status: { podIP: string };
    }>;
  };
  const pod = (name: string) => {
    const found = pods.items.find((p) => p.metadata.name === name);
    if (!found) {
      throw new Error(`no pod ${name} in namespace ${namespace}`);
    }
    return found;
  };
  const clusterIp = mustKubectl([
    "get",
    "service",
    "-n",
    namespace,
    LAB_NAMES.service,
    "-o",
    "jsonpath={.spec.clusterIP}",
  ]);
  const server = pod(LAB_NAMES.serverPod);
  const client = pod(LAB_NAMES.clientPod);
  return labPlan(
    {
      namespace,
      names: LAB_NAMES,
      server: { uid: server.metadata.uid, ip: server.status.podIP, node: server.spec.nodeName },
      client: { ip: client.status.podIP, node: client.spec.nodeName },
      serviceClusterIp: clusterIp.trim(),
    },
    {
      ...settings,
      networkPolicy: pods.items.some((p) => p.metadata.name === LAB_NAMES.strangerPod),
    },
  );
}

/**
 * Waits until `url`, fetched from the lab's client, stops answering, or (with `answersBefore`)
 * stops answering as it did before the fault: kube-proxy applies a patched Service a moment later.
 */
export function waitUntilUnreachable(
  namespace: string,
  url: string,
  timeoutSeconds = 30,
  answersBefore: (body: string) => boolean = () => true,
): void {
  for (let waited = 0; waited < timeoutSeconds; waited += 0.5) {
    const probe = clientFetch(namespace, url);
    if (probe.code !== 0 || !answersBefore(probe.stdout)) {
      return;
    }
    spawnSync("sleep", ["0.5"]);
  }
  throw new Error(`${url} still answers ${timeoutSeconds} s after the fault was injected`);
}

/**
 * Waits until `url`, fetched from the lab's client, answers as `expected` says: a pod or policy
 * added out of band is served only once the network policy controller has synced it.
 */
export function waitUntilServes(
  namespace: string,
  url: string,
  expected: (body: string) => boolean,
  timeoutSeconds = 30,
): void {
  let last = "";
  for (let waited = 0; waited < timeoutSeconds; waited += 0.5) {
    const probe = clientFetch(namespace, url);
    if (probe.code === 0 && expected(probe.stdout)) {
      return;
    }
    last = (probe.stdout + probe.stderr).trim().slice(0, 300);
    spawnSync("sleep", ["0.5"]);
  }
  throw new Error(`${url} did not answer as expected within ${timeoutSeconds} s; last: ${last}`);
}

/**
 * One bounded fetch of `url` from the lab's client: two seconds, and the body's first 64 KiB (a
 * hostile server's endless body is cut there, wget's SIGPIPE status, CUT_RC, read as a body that
 * came).
 */
function clientFetch(namespace: string, url: string): Run {
  return kubectlSync([
    "exec",
    "-n",
    namespace,
    LAB_NAMES.clientPod,
    "--",
    "sh",
    "-c",
    `set -o pipefail; timeout 2 wget -q -O - "$1" | head -c 65536; rc=$?; [ "$rc" -eq ${CUT_RC} ] && rc=0; exit "$rc"`,
    "fetch",
    url,
  ]);
}

/** CoreDNS scaled to zero, and waited out until its last pod is gone: DNS down for a fault test. */
export function stopCoreDns(): void {
  mustKubectl(["scale", "deployment", "coredns", "-n", "kube-system", "--replicas=0"]);
  kubectlSync([
    "wait",
    "-n",
    "kube-system",
    "--for=delete",
    "pod",
    "-l",
    "k8s-app=kube-dns",
    "--timeout=60s",
  ]);
}

/** CoreDNS back at one replica, rolled out. */
export function restoreCoreDns(): void {
  mustKubectl(["scale", "deployment", "coredns", "-n", "kube-system", "--replicas=1"]);
  mustKubectl([
    "rollout",
    "status",
    "deployment",
    "coredns",
    "-n",
    "kube-system",
    "--timeout=120s",
  ]);
}
