import { MeshReport } from "../contract/meshTypes";
import {
  CheckResult,
  Diagnosis,
  Layer,
  Verification,
  VERIFICATION_SCHEMA_VERSION,
} from "../contract/types";

/**
 * The one verdict of a run, whatever scenarios it ran: their checks counted together and their
 * diagnoses joined into one.
 */

/**
 * The verification of a run's checks: counted, stamped with when and by which runner, with the
 * scenarios' diagnosis joined (joinDiagnoses) and the mesh's report.
 */
export function summarize(
  results: readonly CheckResult[],
  stamp: { readonly checkedAt: string; readonly runnerVersion: string },
  diagnosis?: Diagnosis,
  mesh?: MeshReport,
): Verification {
  const passed = results.filter((r) => r.ok).length;
  return {
    schemaVersion: VERIFICATION_SCHEMA_VERSION,
    checkedAt: stamp.checkedAt,
    runnerVersion: stamp.runnerVersion,
    passed,
    failed: results.length - passed,
    checks: results,
    ...(diagnosis ? { diagnosis } : {}),
    ...(mesh ? { mesh } : {}),
  };
}

/** Layers only the pair's checks can see: there, the pair's diagnosis is the one to read. */
const PAIR_ONLY: readonly Layer[] = [
  "client",
  "server",
  "network-policy",
  "policy-enforcement",
  "ipam",
];

/**
 * The verdict's one diagnosis from the scenarios' (the pair's, then the mesh's): the mesh's where
 * it has one (it sees every path, and names the node), unless the pair's points at a layer the
 * mesh does not probe (the lab's own server, client, policies).
 */
export function joinDiagnoses(
  diagnoses: ReadonlyArray<Diagnosis | undefined>,
): Diagnosis | undefined {
  const [first, ...others] = diagnoses.filter((d): d is Diagnosis => d !== undefined);
  const wider = others[0];
  return first && (PAIR_ONLY.includes(first.layer) || !wider) ? first : (wider ?? first);
}
