/**
 * How the every-node check step grows with the cluster: a model whose constants are fitted to the
 * mesh bench's measurements (tools/benchMesh.ts) and which then projects to more nodes.
 *
 * The check step runs 2N scripts (a client and a node probe per node), `execBound` at a time; each
 * script runs its N + 3 jobs `targetBound` at a time, a job taking `job` seconds on a healthy path.
 * So with N nodes there are ceil(2N / E) rounds of execs, each a kubectl exec's own cost (`exec`)
 * and ceil((T + 3) / P) rounds of jobs long, T the echo servers a script probes (N, or M =
 * `mesh.allPairsUpTo` above it: the sampled coverage), plus what every run pays once (`fixed`: the runner's start, the API reads, the pair's
 * checks beside it) and what each further node adds whatever the bounds (`perNode`: here, the
 * nodes share this machine's CPU; on a real cluster each brings its own).
 */
export interface MeshModel {
  /** Seconds every run pays once. */
  readonly fixed: number;
  /** Seconds one job (a target's four probes) takes on a healthy path. */
  readonly job: number;
  /** Seconds a kubectl exec costs by itself (a bare `kubectl exec -- true`). */
  readonly exec: number;
  /** Seconds each node adds beyond its rounds. */
  readonly perNode: number;
}

/** One measurement: the check step's median seconds on a cluster of `nodes`. */
export interface MeshPoint {
  readonly nodes: number;
  readonly seconds: number;
}

/** Rounds of execs the check step runs one after the other on `nodes`. */
export function execRounds(nodes: number, execBound: number): number {
  return Math.ceil((2 * nodes) / execBound);
}

/** Rounds of jobs the check step waits for on `nodes` with these bounds (every pair up to `allPairsUpTo`). */
export function rounds(
  nodes: number,
  execBound: number,
  targetBound: number,
  allPairsUpTo = Infinity,
): number {
  const targets = Math.min(nodes, allPairsUpTo);
  return execRounds(nodes, execBound) * Math.ceil((targets + 3) / targetBound);
}

/** The model's check step, in seconds. */
export function predict(
  model: MeshModel,
  nodes: number,
  execBound: number,
  targetBound: number,
  allPairsUpTo = Infinity,
): number {
  return (
    model.fixed +
    model.exec * (execRounds(nodes, execBound) - 1) +
    model.job * rounds(nodes, execBound, targetBound, allPairsUpTo) +
    model.perNode * (nodes - 1)
  );
}

/**
 * Fits the model: `job` and `exec` are measured directly (the paths' median time, a bare exec);
 * `fixed` (which holds the first round's exec) and `perNode` by least squares on what is left of
 * each point once its rounds are taken off.
 */
export function fitModel(
  points: readonly MeshPoint[],
  measured: { readonly job: number; readonly exec: number },
  execBound: number,
  targetBound: number,
): MeshModel {
  const { job, exec } = measured;
  if (points.length === 0) {
    throw new Error("the model needs at least one measurement");
  }
  const rest = points.map((p) => ({
    x: p.nodes - 1,
    y:
      p.seconds -
      job * rounds(p.nodes, execBound, targetBound) -
      exec * (execRounds(p.nodes, execBound) - 1),
  }));
  const meanX = rest.reduce((s, p) => s + p.x, 0) / rest.length;
  const meanY = rest.reduce((s, p) => s + p.y, 0) / rest.length;
  const spread = rest.reduce((s, p) => s + (p.x - meanX) ** 2, 0);
  const perNode =
    spread === 0 ? 0 : rest.reduce((s, p) => s + (p.x - meanX) * (p.y - meanY), 0) / spread;
  return { fixed: meanY - perNode * meanX, job, exec, perNode: Math.max(0, perNode) };
}
