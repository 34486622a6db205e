/**
 * Kubernetes resource quantities ("250m", "1.5Gi", ".5", "1e3"), after the grammar of
 * k8s.io/apimachinery's resource.Quantity: a decimal number and an optional binary suffix
 * (Ki … Ei), decimal suffix (n, u, m, k, M … E) or decimal exponent.
 */
export const QUANTITY = /^(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/;

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

/** The value of a quantity as a plain number (cores, bytes); NaN when it is not a quantity. */
export function quantityValue(quantity: string): number {
  const match = QUANTITY.exec(quantity);
  if (!match) {
    return NaN;
  }
  const number = Number(match[1]);
  const suffix = match[3] ?? "";
  if (suffix in BINARY) {
    return number * 1024 ** BINARY[suffix];
  }
  if (suffix in DECIMAL) {
    return number * 10 ** DECIMAL[suffix];
  }
  return number * 10 ** Number(suffix.slice(1));
}
