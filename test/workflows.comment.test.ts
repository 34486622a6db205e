import { describe, expect, it } from "vitest";
import { postComment } from "./workflows.helpers";

// preview.yml's comment step (actions/github-script), run as it is with GitHub's API stood in for.

describe("the PR comment step", () => {
  it("creates the comment, marked, when the pull request has none", async () => {
    const calls = await postComment("### report\n");
    expect(calls).toEqual([
      {
        method: "create",
        params: {
          owner: "lab",
          repo: "pod-to-pod",
          issue_number: 7,
          body: "<!-- pod-to-pod-preview -->\n### report\n",
        },
      },
    ]);
  });

  it("edits its own earlier comment in place, never a person's", async () => {
    const calls = await postComment("### new\n", [
      { id: 1, body: "<!-- pod-to-pod-preview -->\nquoted by a person", user: { type: "User" } },
      { id: 2, body: "<!-- pod-to-pod-preview -->\nold preview", user: { type: "Bot" } },
      { id: 3, body: "another bot's comment", user: { type: "Bot" } },
    ]);
    expect(calls.map((c) => [c.method, c.params.comment_id, c.params.body])).toEqual([
      ["update", 2, "<!-- pod-to-pod-preview -->\n### new\n"],
    ]);
  });
});
