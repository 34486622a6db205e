const COLOURS = { pass: { fill: "#dfd", stroke: "#080" }, fail: { fill: "#fdd", stroke: "#d00" } };

/**
 * A box or an arrow of a picture. Its label's lines (an undefined or empty one is left out) may
 * hold names and facts from the cluster: they are made safe for Mermaid here. `ok` colours it
 * green (true) or red (false); without it, it keeps Mermaid's colour.
 */
interface Part {
  readonly label: readonly (string | undefined)[];
  readonly ok?: boolean;
}

/** A box of a picture. */
export interface Box extends Part {
  readonly id: string;
}

/** An arrow of a picture, dashed for traffic that must be refused or a path that failed. */
export interface Arrow extends Part {
  readonly from: string;
  readonly to: string;
  readonly dashed?: boolean;
}

/**
 * A picture: its boxes and arrows in the order drawn, a note of our own words saying what was
 * left out, and a marker naming the block in Mermaid comments on its first and last lines.
 */
export interface Graph {
  readonly boxes: readonly Box[];
  readonly arrows: readonly Arrow[];
  readonly note?: string;
  readonly marker?: string;
}

/** No quote or bracket of a name reaches the graph's syntax, no backtick closes its Markdown block. */
function label(lines: readonly (string | undefined)[]): string {
  return lines
    .filter((line): line is string => line !== undefined && line !== "")
    .map((line) => line.replace(/["[\]{}|<>#;`]/g, "_"))
    .join("<br>");
}

/** The graph as Mermaid lines, which GitHub draws: boxes, arrows, the note, then the colours. */
export function mermaid({ boxes, arrows, note, marker }: Graph): string[] {
  const lines = [
    ...(marker ? [`%% ${marker}`] : []),
    "graph LR",
    ...boxes.map((box) => `  ${box.id}["${label(box.label)}"]`),
    ...arrows.map((a) => `  ${a.from} ${a.dashed ? "-.->" : "-->"}|"${label(a.label)}"| ${a.to}`),
    ...(note ? [`  note["${note}"]`] : []),
  ];
  const results = [["pass", true] as const, ["fail", false] as const];
  for (const [result, ok] of results) {
    const ids = boxes.filter((box) => box.ok === ok).map((box) => box.id);
    if (ids.length > 0) {
      const { fill, stroke } = COLOURS[result];
      lines.push(`  classDef ${result} fill:${fill},stroke:${stroke}`);
      lines.push(`  class ${ids.join(",")} ${result}`);
    }
  }
  for (const [result, ok] of results) {
    const indices = arrows.flatMap((arrow, i) => (arrow.ok === ok ? [i] : []));
    if (indices.length > 0) {
      lines.push(
        `  linkStyle ${indices.join(",")} stroke:${COLOURS[result].stroke},stroke-width:2px`,
      );
    }
  }
  return marker ? [...lines, `%% end of the ${marker}`] : lines;
}
