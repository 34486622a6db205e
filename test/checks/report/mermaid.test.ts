import { describe, expect, it } from "vitest";
import { mermaid } from "../../../checks/report/mermaid";

describe("mermaid", () => {
  it("draws boxes, arrows and the note in order, then colours what passed and what failed", () => {
    expect(
      mermaid({
        boxes: [
          { id: "a", label: ["first", undefined, "", "a pass"], ok: true },
          { id: "b", label: ["second"], ok: false },
          { id: "c", label: ["third"] },
        ],
        arrows: [
          { from: "a", to: "b", label: ["by IP"], ok: false },
          { from: "b", to: "c", label: ["must be refused"], dashed: true, ok: true },
          { from: "c", to: "a", label: ["uncoloured"] },
          { from: "a", to: "c", label: [], ok: true },
        ],
        note: "2 of 4 paths pass; failing ones drawn",
      }),
    ).toEqual([
      "graph LR",
      '  a["first<br>a pass"]',
      '  b["second"]',
      '  c["third"]',
      '  a -->|"by IP"| b',
      '  b -.->|"must be refused"| c',
      '  c -->|"uncoloured"| a',
      '  a -->|""| c',
      '  note["2 of 4 paths pass; failing ones drawn"]',
      "  classDef pass fill:#dfd,stroke:#080",
      "  class a pass",
      "  classDef fail fill:#fdd,stroke:#d00",
      "  class b fail",
      "  linkStyle 1,3 stroke:#080,stroke-width:2px",
      "  linkStyle 0 stroke:#d00,stroke-width:2px",
    ]);
  });

  it("marks the block with Mermaid comments naming it, first and last", () => {
    expect(mermaid({ boxes: [{ id: "n0", label: ["vm"] }], arrows: [], marker: "mesh" })).toEqual([
      "%% mesh",
      "graph LR",
      '  n0["vm"]',
      "%% end of the mesh",
    ]);
  });

  it("keeps a name's quotes, brackets, pipes, comments and backticks out of the syntax", () => {
    const odd = 'a"]; b[c]{d}|e<br>#f`g';
    expect(mermaid({ boxes: [{ id: "x", label: [odd] }], arrows: [] })).toEqual([
      "graph LR",
      '  x["a___ b_c__d__e_br__f_g"]',
    ]);
  });
});
