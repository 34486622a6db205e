/** The numbers the bench reports: medians of pairs, and each goal as a ratio against its bound. */

/** The median of some values (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) {
    throw new Error("median of no values");
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Rounds to milliseconds (seconds) or to three digits (ratios): what the report shows. */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** One goal of issue #23, measured. */
export interface Goal {
  /** What is compared, e.g. "A / B". */
  readonly name: string;
  /** The median of the pair-by-pair values (a ratio, or seconds for a bound in seconds). */
  readonly measured: number;
  /** The goal: `measured` must be at most this. */
  readonly atMost: number;
  readonly unit: "ratio" | "s" | "MiB" | "requests";
  readonly met: boolean;
  /** The pair-by-pair values the median is taken of. */
  readonly pairs: readonly number[];
  /**
   * Where the goal is not met: the floor measured beside it (what the same work costs with nothing
   * of this program in it) and the goal's value if that floor were the whole cost.
   */
  readonly floor?: { readonly what: string; readonly seconds: number; readonly note: string };
}

/** A goal from its pair-by-pair values: met when their median is at most `atMost`. */
export function goal(
  name: string,
  pairs: readonly number[],
  atMost: number,
  unit: Goal["unit"],
  floor?: Goal["floor"],
): Goal {
  const measured = median(pairs);
  return {
    name,
    measured: round3(measured),
    atMost,
    unit,
    met: measured <= atMost,
    pairs: pairs.map(round3),
    ...(floor && measured > atMost ? { floor } : {}),
  };
}

/** One line per goal, for the console. */
export function formatGoal(g: Goal): string {
  const decimal = g.unit === "ratio" || g.unit === "s";
  const value = decimal ? g.measured.toFixed(2) : String(g.measured);
  const unit = g.unit === "ratio" ? "" : ` ${g.unit}`;
  const [low, high] = [Math.min(...g.pairs), Math.max(...g.pairs)];
  const range = decimal ? `${low.toFixed(2)}–${high.toFixed(2)}` : `${low}–${high}${unit}`;
  const bound = `${g.atMost}${unit}`;
  const line = `${g.met ? "MET    " : "NOT MET"} ${g.name}: ${value}${unit} (goal ≤ ${bound}; pairs ${range})`;
  return g.floor
    ? `${line}\n          floor: ${g.floor.what} ${g.floor.seconds.toFixed(2)} s: ${g.floor.note}`
    : line;
}
