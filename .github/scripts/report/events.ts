/**
 * Reading `pulumi --event-log`: its lines as the Automation API's EngineEvent, and what the report
 * takes from them (policy findings, the totals, error diagnostics, secret plaintexts).
 */
import type { EngineEvent, OpMap, PolicyEvent } from "@pulumi/pulumi/automation";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";

export type { EngineEvent, OpMap };

/**
 * A policy finding. The Automation API types its level "warning" | "mandatory", but the CLI writes
 * apitype's levels: "advisory", "mandatory", "remediate" or "disabled".
 */
export type PolicyFinding = Omit<PolicyEvent, "enforcementLevel"> & {
  readonly enforcementLevel: string;
};

/** Parses the JSON lines of `pulumi --event-log`; a torn last line (a killed run) is skipped. */
export function parseEventLog(text: string): EngineEvent[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as EngineEvent];
      } catch {
        return [];
      }
    });
}

/** Every policy finding, in the order the engine reported them. */
export function policyFindings(events: readonly EngineEvent[]): PolicyFinding[] {
  return events.flatMap((e) => (e.policyEvent ? [e.policyEvent as PolicyFinding] : []));
}

/** The resource counts by operation of the summary event; undefined if the run never got there. */
export function resourceChanges(events: readonly EngineEvent[]): OpMap | undefined {
  return events.find((e) => e.summaryEvent)?.summaryEvent?.resourceChanges;
}

/** The messages of the engine's, the providers' and the program's error diagnostics, in order. */
export function errorDiagnostics(events: readonly EngineEvent[]): string[] {
  return events.flatMap((e) =>
    e.diagnosticEvent?.severity === "error" ? [e.diagnosticEvent.message] : [],
  );
}

/**
 * The plaintexts of the values the engine marks secret, each string in them. A secret is written as
 * `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ...}`: with
 * `"ciphertext": "[secret]"` by CLI 3.259.0's event log, with `"plaintext": <its JSON>` where
 * secrets are shown, which is when a value could reach the report in the clear.
 */
export function secretValues(events: readonly EngineEvent[]): string[] {
  const found = new Set<string>();
  const collect = (value: unknown, secret: boolean): void => {
    if (typeof value === "string") {
      if (secret && value !== "") {
        found.add(value);
      }
    } else if (Array.isArray(value)) {
      value.forEach((v) => collect(v, secret));
    } else if (value !== null && typeof value === "object") {
      const record = value as Record<string, unknown>;
      if (record[specialSigKey] === specialSecretSig) {
        collect(plaintextOf(record.plaintext), true);
        collect(record.value, true);
        return;
      }
      Object.values(record).forEach((v) => collect(v, secret));
    }
  };
  events.forEach((e) => collect(e, false));
  return [...found];
}

/** A secret's plaintext is its value as JSON; anything else is kept as the text it is. */
function plaintextOf(plaintext: unknown): unknown {
  if (typeof plaintext !== "string") {
    return plaintext;
  }
  try {
    return JSON.parse(plaintext);
  } catch {
    return plaintext;
  }
}
