import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// scripts/lint-shell.sh, the shell part of `npm run lint`, run in a throwaway git repository of
// its own: it fails on a finding, passes on a clean script or a finding disabled on its line, and
// without shellcheck it fails saying how to install it.

const SCRIPT = path.join(__dirname, "..", "..", "scripts", "lint-shell.sh");
let repo: string;

function lint(env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync("bash", [path.join(repo, "scripts", "lint-shell.sh")], {
    cwd: repo,
    env,
    encoding: "utf8",
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

function write(file: string, text: string) {
  fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
  fs.writeFileSync(path.join(repo, file), text);
  spawnSync("git", ["add", file], { cwd: repo });
}

beforeEach(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), "lint-shell-"));
  spawnSync("git", ["init", "-q"], { cwd: repo });
  write("scripts/lint-shell.sh", fs.readFileSync(SCRIPT, "utf8"));
});

afterEach(() => {
  fs.rmSync(repo, { recursive: true, force: true });
});

describe("scripts/lint-shell.sh", () => {
  it("fails on a finding in a .sh file, naming the file and the check", () => {
    write("tools/bad.sh", "#!/usr/bin/env bash\nrm -rf $1/tmp\n");
    const { code, output } = lint();
    expect(code).not.toBe(0);
    expect(output).toContain("tools/bad.sh");
    expect(output).toContain("SC2086");
  });

  it("finds a shell script without the .sh suffix by its first line", () => {
    write(".ci/run", '#!/usr/bin/env bash\ncd $(dirname "$0")\n');
    const { code, output } = lint();
    expect(code).not.toBe(0);
    expect(output).toContain(".ci/run");
  });

  it("passes clean scripts and a finding disabled on its line", () => {
    write(
      "tools/ok.sh",
      "#!/usr/bin/env bash\nset -euo pipefail\n# shellcheck disable=SC2086 # split into words on purpose\nls $1\n",
    );
    const { code, output } = lint();
    expect(output).toMatch(/2 shell files, no findings/);
    expect(code).toBe(0);
  });

  it("without shellcheck, fails and says to apt-get install it", () => {
    // A PATH with git and bash but no shellcheck.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "lint-shell-bin-"));
    for (const tool of ["bash", "git", "dirname", "head", "grep"]) {
      const found = spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" });
      fs.symlinkSync(found.stdout.trim(), path.join(bin, tool));
    }
    try {
      const { code, output } = lint({ ...process.env, PATH: bin });
      expect(code).toBe(1);
      expect(output).toContain("shellcheck is missing");
      expect(output).toContain("apt-get install shellcheck");
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });
});
