/**
 * A streamed run's reader: given stdout a line at a time as kubectl prints it (a watch's events),
 * none of it kept; returning false ends the run there, as a normal end (the reader has what it
 * wanted).
 */
export type LineReader = (line: string) => boolean;

/** A stream's state after a chunk: reading on, its reader has enough, or a line over the bound. */
export type StreamState = "more" | "enough" | "overflow";

/**
 * Splits a stream's chunks into lines for `reader`, each line handed over whole at its newline
 * (a report's event is up to a MiB, in 64 KiB chunks) and never kept after; a line longer than
 * `maxLineBytes` is never read at all.
 */
export function lineStream(
  reader: LineReader,
  maxLineBytes: number,
): { push(chunk: Buffer): StreamState; end(): void } {
  let partial: Buffer[] = [];
  let partialBytes = 0;
  let state: StreamState = "more";
  const push = (chunk: Buffer): StreamState => {
    let from = 0;
    for (let end = chunk.indexOf(10); end >= 0 && state === "more"; end = chunk.indexOf(10, from)) {
      partial.push(chunk.subarray(from, end));
      const line = Buffer.concat(partial).toString();
      partial = [];
      partialBytes = 0;
      from = end + 1;
      if (line !== "" && !reader(line)) {
        state = "enough";
      }
    }
    if (state === "more" && from < chunk.length) {
      partial.push(chunk.subarray(from));
      partialBytes += chunk.length - from;
      if (partialBytes > maxLineBytes) {
        partial = [];
        state = "overflow";
      }
    }
    return state;
  };
  return {
    push: (chunk) => (state === "more" ? push(chunk) : state),
    end: () => {
      if (state === "more" && partialBytes > 0) {
        push(Buffer.from("\n"));
      }
    },
  };
}
