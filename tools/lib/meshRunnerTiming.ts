/**
 * One run of the runner (checks/runPlan.ts) on a simulated every-node lab, as the lab's command
 * runs it: bundled by esbuild and started by plain node, so the figures are the runner's and not a
 * TypeScript loader's; its kubectl calls answered over IPC by the lab in a process of its own
 * (syntheticMeshServer.ts), as kubectl's answers come from other processes. Started by
 * meshReportTiming.ts's `runner` mode as
 * `node <this, bundled> <runPlan bundle> <plan.json> <lab bundle> <lab's arguments…>` (with the
 * checkout's checks/runtime.ts bundled beside runPlan's as runtime.js, where it has one): the lab
 * is syntheticMeshServer.ts (its argument the node count) or kwokMeshServer.ts (the namespace and
 * the plan's file). Prints `{"ms": …, "bytes": …, "heapMiB": …, "rssMiB": …, "requests": {…},
 * "reportsFiled": …, "planBytes": …}`, and `"apiRequests": {…}`, the HTTP requests the API server
 * was sent, where the lab's API is real. `requests` are the runner's API requests by kind: a
 * kubectl run each, but the report protocol's, which the lab counts as the HTTP requests they are
 * (simulatedReports.ts: the run's ConfigMap 1, a plan of K ConfigMaps K, a list a page each 500,
 * the delete of the run's ConfigMap 1).
 */
import { fork } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { KUBECTL_OUTPUT_BOUND_BYTES, KubectlResult } from "../../checks/probe/kubectl";
import { LineReader, lineStream } from "../../checks/probe/lineStream";
import { BENCH_REPORT_REQUESTS, reportCallOf, ReportCounts } from "./simulatedReports";

type RunPlan = typeof import("../../checks/runPlan");
type Runtime = typeof import("../../checks/runtime");

async function main(): Promise<void> {
  const [bundle, planFile, labBundle, ...labArgs] = process.argv.slice(2);
  // As run.ts does before anything else, where the checkout's runner tunes its process.
  const runtime = path.join(path.dirname(bundle), "runtime.js");
  if (fs.existsSync(runtime)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require(runtime) as Runtime).favourMemory();
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runPlan } = require(bundle) as RunPlan;
  const lab = fork(labBundle, labArgs);
  // Each call's stdout comes in chunks (labOverIpc.ts): kept for its result, or handed to a
  // streamed run's reader a line at a time, as kubectl.ts does.
  const waiting = new Map<
    number,
    { chunk(text: string): void; done(result: KubectlResult): void }
  >();
  lab.on("message", (message: { id: number; chunk?: string; result?: KubectlResult }) => {
    const call = waiting.get(message.id);
    if (message.result) {
      call?.done(message.result);
      waiting.delete(message.id);
    } else {
      call?.chunk(message.chunk ?? "");
    }
  });
  // The API requests the runner sends, by kind: counted on its side of the IPC, one a kubectl
  // run, but the report protocol's, whose requests only the lab can count (a plan's ConfigMaps, a
  // list's pages) without the runner's process reading what it sends and gets.
  const requests: Record<string, number> = {};
  let next = 0;
  const ask = (args: readonly string[], reader?: LineReader) =>
    new Promise<KubectlResult>((resolve) => {
      const id = next++;
      const lines = reader && lineStream(reader, KUBECTL_OUTPUT_BOUND_BYTES);
      let stdout = "";
      waiting.set(id, {
        chunk: (text) => (lines ? lines.push(Buffer.from(text)) : (stdout += text)),
        done: (result) => {
          lines?.end();
          resolve({ ...result, stdout });
        },
      });
      lab.send({ id, args });
    });
  const run = (args: readonly string[], _timeoutMs: number, lines?: LineReader) => {
    const [verb, what] = args;
    if (reportCallOf(args) === undefined) {
      const kind = verb === "get" || verb === "patch" ? `${verb} ${what}` : verb;
      requests[kind] = (requests[kind] ?? 0) + 1;
    }
    return ask(args, lines);
  };
  const started = process.hrtime.bigint();
  const verification = await runPlan({ mesh: JSON.parse(fs.readFileSync(planFile, "utf8")) }, run, {
    runnerVersion: "bench",
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const asked = await ask(["bench-requests"]);
  const reported = await ask([BENCH_REPORT_REQUESTS]);
  lab.kill();
  if (reported.code !== 0) {
    throw new Error(`the simulated lab did not count its reports: ${reported.stderr}`);
  }
  const reporting = JSON.parse(reported.stdout) as ReportCounts;
  const failed = verification.checks.filter((check) => !check.ok);
  if (failed.length > 0) {
    throw new Error(
      `the simulated mesh should pass; failed: ${failed.map((c) => `${c.name}: ${c.detail}`).join("; ")}`,
    );
  }
  console.log(
    JSON.stringify({
      ms,
      bytes: JSON.stringify(verification.mesh).length,
      heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
      rssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      requests: { ...requests, ...reporting.requests },
      reportsFiled: reporting.reportsFiled,
      planBytes: reporting.planBytes,
      ...(asked.code === 0 ? { apiRequests: JSON.parse(asked.stdout) as object } : {}),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
