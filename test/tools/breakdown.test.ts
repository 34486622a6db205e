import { describe, expect, it } from "vitest";
import { phasesOf, stepsOf } from "../../tools/lib/breakdown";
import { parseOtlpTrace } from "../../tools/lib/otelTrace";

/** One line of the CLI's `--otel-traces file://` output, as the OTLP/JSON exporter writes it. */
function exportLine(service: string, spans: Array<[string, number, number]>): string {
  const base = 1_764_600_000_000; // ms since the epoch
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
        scopeSpans: [
          {
            spans: spans.map(([name, startMs, endMs], i) => ({
              name,
              spanId: `${service}-${i}`,
              startTimeUnixNano: String(BigInt(base + startMs) * 1_000_000n),
              endTimeUnixNano: String(BigInt(base + endMs) * 1_000_000n),
              attributes: [{ key: "rpc.method", value: { stringValue: name.split("/").pop() } }],
            })),
          },
        ],
      },
    ],
  });
}

const TRACE = [
  exportLine("pulumi-cli", [
    ["pulumi", 0, 3000],
    ["pulumi-plan", 300, 2900],
  ]),
  exportLine("pulumi-language-nodejs", [["execRuntime", 500, 2800]]),
  exportLine("pulumi-sdk-nodejs", [
    ["language-runtime.run", 1000, 2700],
    ["grpc.pulumirpc.ResourceMonitor/RegisterResource", 1100, 1150],
    ["grpc.pulumirpc.ResourceMonitor/RegisterResource", 1800, 2500],
    ["grpc.pulumirpc.ResourceMonitor/RegisterResource", 1900, 2600],
  ]),
].join("\n");

describe("the bench's breakdown", () => {
  it("reads every span of the trace, with its process and its times in ms", () => {
    const spans = parseOtlpTrace(TRACE + "\n");
    expect(spans).toHaveLength(7);
    expect(spans[0]).toMatchObject({
      name: "pulumi",
      service: "pulumi-cli",
      startMs: 1_764_600_000_000,
    });
    expect(spans.find((s) => s.name === "execRuntime")?.endMs).toBe(1_764_600_002_800);
    expect(spans[2].attributes).toEqual({ "rpc.method": "execRuntime" });
  });

  it("names the line that is not JSON", () => {
    expect(() => parseOtlpTrace(`${TRACE}\n{not json`)).toThrow(/trace line 4 is not JSON/);
  });

  it("splits the CLI's wall time into its phases, which add up to it", () => {
    const phases = phasesOf(parseOtlpTrace(TRACE));
    expect(phases).toEqual([
      { phase: "engine start", seconds: 0.3 },
      { phase: "language host", seconds: 0.2 },
      { phase: "node and the SDK", seconds: 0.5 },
      { phase: "program start", seconds: 0.8 },
      { phase: "resources", seconds: 0.8 },
      { phase: "engine tail", seconds: 0.4 },
    ]);
    expect(phases.reduce((sum, p) => sum + p.seconds, 0)).toBeCloseTo(3, 6);
  });

  it("refuses a trace without the program's registrations", () => {
    const noProgram = TRACE.split("\n").slice(0, 2).join("\n");
    expect(() => phasesOf(parseOtlpTrace(noProgram))).toThrow(
      /fewer than two resource registrations/,
    );
  });

  it("splits an operation that runs no program (a destroy) into the engine's start and its steps", () => {
    const destroy = exportLine("pulumi-cli", [
      ["pulumi", 0, 7000],
      ["pulumi-plan", 700, 7000],
    ]);
    expect(phasesOf(parseOtlpTrace(destroy))).toEqual([
      { phase: "engine start", seconds: 0.7 },
      { phase: "steps", seconds: 6.3 },
    ]);
  });

  it("times each resource's step from the engine's events, leaving out components and the stack", () => {
    expect(
      stepsOf([
        {
          op: "create",
          urn: "urn:pulumi:s::p::kubernetes:core/v1:Pod::nginx-pod",
          type: "kubernetes:core/v1:Pod",
          startedMs: 1000,
          doneMs: 2250,
        },
        {
          op: "create",
          urn: "urn:pulumi:s::p::pod-to-pod:lab:NginxServer::nginx",
          type: "pod-to-pod:lab:NginxServer",
          startedMs: 900,
          doneMs: 2300,
        },
        {
          op: "create",
          urn: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s",
          type: "pulumi:pulumi:Stack",
          startedMs: 0,
          doneMs: 4000,
        },
        {
          op: "same",
          urn: "urn:pulumi:s::p::kubernetes:core/v1:Service::svc",
          type: "kubernetes:core/v1:Service",
          startedMs: 1000,
          doneMs: 1001,
        },
        {
          op: "create",
          urn: "urn:pulumi:s::p::command:local:Command::run",
          type: "command:local:Command",
          startedMs: 2300,
        },
      ]),
    ).toEqual({ "Pod nginx-pod": 1.25 });
  });
});
