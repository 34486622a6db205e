import { renderMeshMermaid, renderMeshText } from "./meshRender";
import { Verification } from "../contract/types";

/** Renders a verification as the plain-text report exported as the `report` stack output. */
export function renderReport(verification: Verification): string {
  const width = Math.max(...verification.checks.map((c) => c.name.length));
  const lines = [
    `pod-to-pod network verification (${verification.passed} passed, ${verification.failed} failed), checked at ${verification.checkedAt} by runner ${verification.runnerVersion}`,
    ...verification.checks.map(
      (c) =>
        `  ${c.ok ? "PASS" : "FAIL"}  ${c.name.padEnd(width)}  ${String(c.ms).padStart(5)} ms  ${c.detail}`,
    ),
  ];
  if (verification.diagnosis) {
    lines.push(
      "",
      `Broken layer: ${verification.diagnosis.layer}`,
      `  ${verification.diagnosis.summary}`,
      ...verification.diagnosis.evidence.map((e) => `  - ${e}`),
    );
  }
  if (verification.mesh) {
    lines.push(...renderMeshText(verification.mesh), "", ...renderMeshMermaid(verification.mesh));
  }
  return lines.join("\n");
}
