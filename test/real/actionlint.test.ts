import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The workflows linted by actionlint, which scripts/actionlint.sh builds from the Go module proxy
 * (cached): Go and the proxy are needed, so this runs in its own stage (`npm run lint:workflows`),
 * not with the hermetic unit tests.
 */
const ROOT = path.join(__dirname, "..", "..");

function actionlint(...files: string[]): { status: number | null; output: string } {
  const result = spawnSync("bash", [path.join(ROOT, "scripts", "actionlint.sh"), ...files], {
    cwd: ROOT,
    encoding: "utf8",
    // A cold cache builds actionlint from the Go proxy first.
    timeout: 280_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("scripts/actionlint.sh", () => {
  it("passes the workflows in .github/workflows", () => {
    const { status, output } = actionlint();
    expect(output).toContain(".github/workflows/preview.yml .github/workflows/up.yml");
    expect(status, output).toBe(0);
  }, 300_000);

  it("fails on a broken workflow and names the problem", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pod-to-pod-actionlint-"));
    const broken = path.join(dir, "broken.yml");
    fs.writeFileSync(
      broken,
      [
        "on: pull_request",
        "jobs:",
        "  preview:",
        "    steps:",
        "      - run: echo ${{ steps.preview.outputs.exit-code }}",
        "",
      ].join("\n"),
    );
    try {
      const { status, output } = actionlint(broken);
      expect(status).not.toBe(0);
      expect(output).toContain('"runs-on" section is missing in job "preview"');
      expect(output).toMatch(/property "preview" is not defined/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
