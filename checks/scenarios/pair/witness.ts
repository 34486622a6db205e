import { PairPaths } from "./checks";
import { PathJudgement, witnessPath } from "../../judge/paths";
import { CheckPlan } from "../../contract/types";
import { serverSides } from "../../witness/sides";
import { Claim, describeVerdict, LogEvidence } from "../../witness/witness";

/** The pair's paths, client and stranger, with nginx-server's side of each. */
export function witnessPair(
  paths: PairPaths,
  stranger: readonly PathJudgement[],
  evidence: LogEvidence,
  plan: CheckPlan,
): { paths: PairPaths; stranger: PathJudgement[] } {
  const sideOf = serverSides(evidence, (claim: Claim, verdict) =>
    claim.expect === "served"
      ? describeVerdict(verdict, plan.serverPod, `${plan.clientPod} (${plan.clientPodIp})`)
      : describeVerdict(verdict, plan.serverPod, "the stranger", "the stranger's request"),
  );
  return {
    paths: {
      pod: witnessPath(paths.pod, sideOf),
      services: paths.services.map((path) => witnessPath(path, sideOf)),
    },
    stranger: stranger.map((path) => witnessPath(path, sideOf)),
  };
}

/** Every claim of the pair's paths, the client's and the stranger's. */
export function pairClaims(paths: PairPaths, stranger: readonly PathJudgement[]): Claim[] {
  return [paths.pod, ...paths.services, ...stranger].flatMap((path) => path.claims);
}
