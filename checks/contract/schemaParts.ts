import { z } from "zod";

/** The pieces every schema of the contract is built from. */

type DeepReadonly<T> = T extends readonly (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** What a schema gives, read-only all the way down: the runner never edits a plan or a result. */
export type Parsed<S extends z.ZodType> = DeepReadonly<z.output<S>>;

/** A count of things, zero or more. */
export const count = z.int().nonnegative();

// Worded to follow a value: the runner's environment says `X="0" is not a positive whole number`.
const notPositive = { error: "is not a positive whole number" };
/** A whole number above zero: a port, a number of packets, a bound in seconds. */
export const positive = z.int(notPositive).positive(notPositive);
