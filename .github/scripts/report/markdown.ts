/** Markdown for GitHub: table cells, fences, cut texts, counts and the engine's names. */
import { OpMap } from "./events";

const SYMBOLS: Readonly<Record<string, string>> = {
  create: "+",
  update: "~",
  delete: "-",
  replace: "+-",
};

/** "+7 to create, 1 unchanged": the non-zero counts of a summary event. */
export function describeChanges(changes: OpMap): string {
  return Object.entries(changes)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([op, n]) => (op === "same" ? `${n} unchanged` : `${SYMBOLS[op] ?? ""}${n} to ${op}`))
    .join(", ");
}

/** "kubernetes:core/v1:Pod nginx-pod": a URN's type and name, or "stack". */
export function resourceOf(urn: string | undefined): string {
  const parts = (urn ?? "").split("::");
  return parts.length >= 4 ? `${parts[2].split("$").pop()} ${parts.slice(3).join("::")}` : "stack";
}

/** "1 line", "2 lines". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Text for a markdown table cell: no HTML (`<version>` would vanish), pipes escaped, lines joined. */
export function cell(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|")
    .replace(/\r?\n/g, "<br>");
}

/** The start of a long message, marked as cut. */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** Text for a fenced block: a fence inside it would end the block early. */
export function fenced(text: string): string {
  return text.replace(/```/g, "ʼʼʼ");
}

/** Keeps the end of a text within `room` characters, from a line start. */
export function keepEnd(text: string, room: number): { text: string; cut: boolean } {
  if (text.length <= room) {
    return { text, cut: false };
  }
  const tail = text.slice(text.length - Math.max(room, 0));
  return { text: tail.slice(tail.indexOf("\n") + 1), cut: true };
}
