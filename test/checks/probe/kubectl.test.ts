import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kubectl } from "../../../checks/probe/kubectl";

/** A stand-in kubectl: a shell script on its own, named by KUBECTL. */
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function fakeKubectl(body: string): NodeJS.ProcessEnv {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-kubectl-"));
  dirs.push(dir);
  const file = path.join(dir, "kubectl");
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return { PATH: process.env.PATH, KUBECTL: file };
}

describe("kubectl", () => {
  it("gives back what kubectl printed and its exit status", async () => {
    const env = fakeKubectl('echo "out $*"; echo err >&2; exit 3');
    expect(await kubectl(["get", "pods"], 10_000, env)).toEqual({
      code: 3,
      stdout: "out get pods\n",
      stderr: "err\n",
    });
  });

  it("stops a kubectl that prints without end at the output bound, and takes nothing of it", async () => {
    const env = fakeKubectl("exec yes 'a line of a log without end'");
    const started = Date.now();
    const result = await kubectl(
      ["logs", "x"],
      60_000,
      env,
      { kind: "environment" },
      { maxOutputBytes: 1 << 20 },
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: `kubectl printed more than ${1 << 20} bytes and was stopped: nothing of its output is taken\n`,
    });
  });

  it("takes output up to the bound whole", async () => {
    const env = fakeKubectl("head -c 1000 /dev/zero | tr '\\0' x");
    const result = await kubectl(
      ["logs", "x"],
      10_000,
      env,
      { kind: "environment" },
      { maxOutputBytes: 1000 },
    );
    expect([result.code, result.stdout.length]).toEqual([0, 1000]);
  });

  it("hands a streamed run's stdout over a line at a time, keeping none, the last line without its newline too", async () => {
    const env = fakeKubectl("printf 'one\\n\\ntwo\\nthree'");
    const lines: string[] = [];
    const result = await kubectl(["get", "--raw", "/w"], 10_000, env, undefined, {
      lines: (line) => (lines.push(line), true),
    });
    expect(lines).toEqual(["one", "two", "three"]);
    expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("ends a streamed run where its reader has enough: a normal end, nothing after read", async () => {
    const env = fakeKubectl("echo first; echo second; exec sleep 60");
    const lines: string[] = [];
    const started = Date.now();
    const result = await kubectl(["get", "--raw", "/w"], 60_000, env, undefined, {
      lines: (line) => (lines.push(line), line !== "first"),
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(lines).toEqual(["first"]);
    expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("stops a streamed run at a line longer than the bound, and reads none of it", async () => {
    const env = fakeKubectl("echo short; exec yes 'no newline for a while' | tr -d '\\n'");
    const lines: string[] = [];
    const result = await kubectl(["get", "--raw", "/w"], 60_000, env, undefined, {
      maxOutputBytes: 1 << 20,
      lines: (line) => (lines.push(line), true),
    });
    expect(lines).toEqual(["short"]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: `kubectl printed a line of more than ${1 << 20} bytes and was stopped: nothing of its output is taken\n`,
    });
  });
});
