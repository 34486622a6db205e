/**
 * Reads the trace the Pulumi CLI writes with `--otel-traces file://<path>`: one OTLP/JSON
 * `ExportTraceServiceRequest` per line, with the spans of the CLI, the language host and the
 * program's Node.js runtime (each names itself in its resource's `service.name`).
 */

/** One span, its times in milliseconds since the Unix epoch (the machine's clock). */
export interface Span {
  readonly name: string;
  /** The `service.name` of the process that recorded it. */
  readonly service: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}

interface OtlpAttribute {
  key: string;
  value?: OtlpValue;
}

interface OtlpSpan {
  name?: string;
  spanId?: string;
  parentSpanId?: string;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: OtlpAttribute[];
}

interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{ spans?: OtlpSpan[] }>;
  }>;
}

function valueOf(value: OtlpValue | undefined): string | number | boolean {
  if (!value) {
    return "";
  }
  if (value.stringValue !== undefined) {
    return value.stringValue;
  }
  if (value.intValue !== undefined) {
    return Number(value.intValue);
  }
  if (value.doubleValue !== undefined) {
    return value.doubleValue;
  }
  return value.boolValue ?? "";
}

function attributesOf(
  list: OtlpAttribute[] | undefined,
): Record<string, string | number | boolean> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, valueOf(a.value)]));
}

/** Nanoseconds as OTLP/JSON writes them (a decimal string) to milliseconds. */
function nanosToMs(nanos: string | number | undefined): number {
  // BigInt first: Unix nanoseconds exceed a double's exact integers.
  return Number(BigInt(nanos ?? 0) / 1000n) / 1000;
}

/** Every span of a trace file's text, ordered by start. Lines that are not JSON are an error. */
export function parseOtlpTrace(text: string): Span[] {
  const spans: Span[] = [];
  for (const [index, line] of text.split("\n").entries()) {
    if (line.trim() === "") {
      continue;
    }
    let parsed: OtlpExport;
    try {
      parsed = JSON.parse(line) as OtlpExport;
    } catch (error) {
      throw new Error(`trace line ${index + 1} is not JSON: ${(error as Error).message}`);
    }
    for (const resourceSpans of parsed.resourceSpans ?? []) {
      const service = String(
        attributesOf(resourceSpans.resource?.attributes)["service.name"] ?? "",
      );
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          spans.push({
            name: span.name ?? "",
            service,
            spanId: span.spanId ?? "",
            ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
            startMs: nanosToMs(span.startTimeUnixNano),
            endMs: nanosToMs(span.endTimeUnixNano),
            attributes: attributesOf(span.attributes),
          });
        }
      }
    }
  }
  return spans.sort((a, b) => a.startMs - b.startMs);
}
