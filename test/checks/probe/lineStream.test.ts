import { describe, expect, it } from "vitest";
import { lineStream } from "../../../checks/probe/lineStream";

/** The lines a stream hands over for `chunks`, and its state after each. */
function read(chunks: readonly string[], maxLineBytes = 1 << 20, enoughAt?: string) {
  const lines: string[] = [];
  const stream = lineStream((line) => (lines.push(line), line !== enoughAt), maxLineBytes);
  const states = chunks.map((chunk) => stream.push(Buffer.from(chunk)));
  stream.end();
  return { lines, states };
}

describe("lineStream", () => {
  it("hands over a line split across chunks whole, two lines of one chunk one by one, no empty line", () => {
    expect(read(['{"type":"AD', 'DED","object"', ":{}}\nsecond\n\nthi", "rd"])).toEqual({
      lines: ['{"type":"ADDED","object":{}}', "second", "third"],
      states: ["more", "more", "more", "more"],
    });
  });

  it("keeps a multi-byte character split between two chunks", () => {
    const bytes = Buffer.from("né\n");
    const lines: string[] = [];
    const stream = lineStream((line) => (lines.push(line), true), 100);
    stream.push(bytes.subarray(0, 2));
    stream.push(bytes.subarray(2));
    expect(lines).toEqual(["né"]);
  });

  it("reads nothing after its reader has enough", () => {
    expect(read(["a\nb\nc\n", "d\n"], 100, "b")).toEqual({
      lines: ["a", "b"],
      states: ["enough", "enough"],
    });
  });

  it("reads no line longer than its bound, nor any after it", () => {
    expect(read(["short\n", "x".repeat(60), "x".repeat(60), "\nlater\n"], 100)).toEqual({
      lines: ["short"],
      states: ["more", "more", "overflow", "overflow"],
    });
  });
});
