/**
 * Renders the program's Kubernetes objects without a Pulumi engine: it runs index.ts under the
 * Pulumi runtime's mocks, records what each kubernetes resource was given, names auto-named ones as
 * the provider would (`<name>-<8 hex>`), and prints them as one Kubernetes List (JSON).
 *
 * The cluster test applies these objects with kubectl and injects its faults around them: the
 * check runner is tested against exactly the pods and Service the components declare, in seconds
 * and without an engine. Config comes as a JSON object of `key: value` in RENDER_CONFIG.
 */
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { useClusterReader } from "../components/labClaim";

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown>;
  [field: string]: unknown;
}

const manifests: Manifest[] = [];

/** kubernetes:core/v1:Pod → {apiVersion: v1, kind: Pod}; kubernetes:apps/v1:Deployment → apps/v1. */
function apiOf(type: string): { apiVersion: string; kind: string } | undefined {
  const match = /^kubernetes:([^/]+)\/([^:]+):(\w+)$/.exec(type);
  if (!match) {
    return undefined;
  }
  const [, group, version, kind] = match;
  return { apiVersion: group === "core" ? version : `${group}/${version}`, kind };
}

async function main(): Promise<void> {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const api = apiOf(args.type);
        const inputs = { ...args.inputs };
        if (api) {
          const metadata = { ...(inputs.metadata ?? {}) };
          metadata.name ??= `${args.name}-${crypto.randomBytes(4).toString("hex")}`;
          inputs.metadata = metadata;
          const { apiVersion: _a, kind: _k, ...rest } = inputs;
          manifests.push({ ...api, ...rest, metadata });
        }
        if (args.type === "command:local:Command") {
          // Never run here: the cluster test runs the same runner itself, with live pod IPs.
          // The placeholder passes the verdict's schema and says it is none.
          inputs.stdout = JSON.stringify({
            schemaVersion: 2,
            checkedAt: new Date(0).toISOString(),
            runnerVersion: "render",
            passed: 0,
            failed: 1,
            checks: [{ name: "pod-ip-http", ok: false, detail: "not run: rendered only", ms: 0 }],
          });
        }
        return { id: `${args.name}-id`, state: inputs };
      },
      call(args) {
        throw new Error(`unexpected call ${args.token}`);
      },
    },
    "pod-to-pod",
    "render",
    false,
  );
  // A render reads no cluster: the lab's claim on its names is the engine's, at preview and up.
  useClusterReader(() => ({ ok: false, reason: "rendered without a cluster" }));
  const config = JSON.parse(process.env.RENDER_CONFIG ?? "{}") as Record<string, string>;
  // The placeholder verdict above is no verdict: report-only keeps the program from failing on it
  // (only the command's environment changes, none of the rendered objects).
  const checks = JSON.parse(config["pod-to-pod:checks"] ?? "{}") as Record<string, unknown>;
  config["pod-to-pod:checks"] = JSON.stringify({ ...checks, reportOnly: true });
  for (const [key, value] of Object.entries(config)) {
    pulumi.runtime.setConfig(key, value);
  }
  const program = await import("../index");
  await new Promise<void>((resolve) => program.report.apply(() => resolve()));
  process.stdout.write(
    JSON.stringify({ apiVersion: "v1", kind: "List", items: manifests }, null, 2) + "\n",
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`render: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
