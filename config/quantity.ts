/**
 * Kubernetes resource quantities ("250m", "1.5Gi", ".5", "+1", "1e3"), after the grammar of
 * k8s.io/apimachinery's resource.Quantity: a signed decimal number and an optional binary suffix
 * (Ki … Ei), decimal suffix (n, u, m, k, M … E) or decimal exponent.
 */
export const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/;

const BINARY: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  "": 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

/** The largest magnitude a Quantity holds (2^63-1, in base units: cores, bytes). */
export const QUANTITY_MAX = 2n ** 63n - 1n;

/** A quantity read exactly: its sign and its magnitude in thousandths, as Kubernetes keeps it. */
export interface ExactQuantity {
  readonly negative: boolean;
  /**
   * The magnitude in thousandths (milli-units), rounded up: Kubernetes keeps at most three decimal
   * places and rounds a finer value up ("0.1m" is 1m).
   */
  readonly milli: bigint;
  /** Whether the magnitude is above QUANTITY_MAX, which Kubernetes would silently cap. */
  readonly tooLarge: boolean;
}

/** Reads a quantity exactly (no floating point); undefined when it is not one. */
export function parseQuantity(text: string): ExactQuantity | undefined {
  const match = QUANTITY.exec(text);
  if (!match) {
    return undefined;
  }
  const [, sign, number, suffix = ""] = match;
  const [whole, fraction = ""] = number.split(".");
  const digits = BigInt(`${whole}${fraction}` || "0");
  const binary = BINARY[suffix] ?? 0;
  const exponent =
    (suffix in BINARY ? 0 : suffix in DECIMAL ? DECIMAL[suffix] : Number(suffix.slice(1))) -
    fraction.length +
    // thousandths
    3;
  const negative = sign === "-" && digits !== 0n;
  // Magnitudes far beyond the cap are decided without building their digits.
  const wholeDigits = String(digits).length + exponent - 3 + binary * 4;
  if (digits !== 0n && wholeDigits > 40) {
    return { negative, milli: QUANTITY_MAX * 1000n + 1n, tooLarge: true };
  }
  const scaled = digits * 1024n ** BigInt(binary);
  let milli: bigint;
  if (exponent >= 0) {
    milli = scaled * 10n ** BigInt(exponent);
  } else if (-exponent > String(scaled).length + 1) {
    milli = scaled === 0n ? 0n : 1n;
  } else {
    const divisor = 10n ** BigInt(-exponent);
    milli = (scaled + divisor - 1n) / divisor;
  }
  return { negative, milli, tooLarge: milli > QUANTITY_MAX * 1000n };
}

/** Compares two quantities exactly: negative, zero or positive as a is below, equal to or above b. */
export function compareQuantities(a: ExactQuantity, b: ExactQuantity): number {
  const signed = (q: ExactQuantity) => (q.negative ? -q.milli : q.milli);
  const difference = signed(a) - signed(b);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}
