/** How a verdict colours a box or an arrow; none leaves it uncoloured. */
export type Result = "pass" | "fail";

const COLOURS = { pass: { fill: "#dfd", stroke: "#080" }, fail: { fill: "#fdd", stroke: "#d00" } };

/** A box of a picture; its label's lines are names and facts, made safe for Mermaid here. */
export interface Box {
  readonly id: string;
  /** Its lines; an undefined or empty one is left out. */
  readonly label: readonly (string | undefined)[];
  readonly result?: Result;
}

/** An arrow of a picture between two boxes. */
export interface Arrow {
  readonly from: string;
  readonly to: string;
  /** Its lines; an undefined or empty one is left out. */
  readonly label: readonly (string | undefined)[];
  /** Drawn dashed: traffic that must be refused, or a path that failed. */
  readonly dashed?: boolean;
  readonly result?: Result;
}

/** A picture: its boxes and arrows, in the order drawn. */
export interface Graph {
  readonly boxes: readonly Box[];
  readonly arrows: readonly Arrow[];
  /** A box of our own words apart from the graph, saying what was left out of it. */
  readonly note?: string;
  /** The first and last lines are Mermaid comments naming it: `%% <marker>`, `%% end of the <marker>`. */
  readonly marker?: string;
}

/** No quotes or brackets from a name reach the graph's syntax, no backticks close its Markdown block. */
function label(lines: readonly (string | undefined)[]): string {
  return lines
    .filter((line): line is string => line !== undefined && line !== "")
    .map((line) => line.replace(/["[\]{}|<>#;`]/g, "_"))
    .join("<br>");
}

/** The graph as Mermaid lines (GitHub renders them): boxes, arrows, note, then the colours. */
export function mermaid({ boxes, arrows, note, marker }: Graph): string[] {
  const lines = [
    ...(marker ? [`%% ${marker}`] : []),
    "graph LR",
    ...boxes.map((box) => `  ${box.id}["${label(box.label)}"]`),
    ...arrows.map((a) => `  ${a.from} ${a.dashed ? "-.->" : "-->"}|"${label(a.label)}"| ${a.to}`),
    ...(note ? [`  note["${note}"]`] : []),
  ];
  for (const result of ["pass", "fail"] as const) {
    const ids = boxes.filter((box) => box.result === result).map((box) => box.id);
    if (ids.length > 0) {
      const { fill, stroke } = COLOURS[result];
      lines.push(
        `  classDef ${result} fill:${fill},stroke:${stroke}`,
        `  class ${ids.join(",")} ${result}`,
      );
    }
  }
  for (const result of ["pass", "fail"] as const) {
    const indices = arrows.flatMap((arrow, i) => (arrow.result === result ? [i] : []));
    if (indices.length > 0) {
      lines.push(
        `  linkStyle ${indices.join(",")} stroke:${COLOURS[result].stroke},stroke-width:2px`,
      );
    }
  }
  return marker ? [...lines, `%% end of the ${marker}`] : lines;
}
