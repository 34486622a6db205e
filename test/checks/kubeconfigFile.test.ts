import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { isKubeconfigContent, withKubeconfigFile } from "../../checks/kubeconfigFile";

const CONTENT = "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: s3cret\n";

describe("withKubeconfigFile", () => {
  it("passes a path through untouched, and expands ~/", async () => {
    expect(await withKubeconfigFile("/etc/rancher/k3s/k3s.yaml", async (f) => f)).toBe(
      "/etc/rancher/k3s/k3s.yaml",
    );
    expect(await withKubeconfigFile("~/.kube/config", async (f) => f)).toBe(
      path.join(os.homedir(), ".kube/config"),
    );
  });

  it("gives contents a private file for the callback only, and removes it afterwards", async () => {
    let seen = "";
    await withKubeconfigFile(CONTENT, async (file) => {
      seen = file;
      expect(file).not.toContain("s3cret");
      expect(fs.readFileSync(file, "utf8")).toBe(CONTENT);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    });
    expect(fs.existsSync(seen)).toBe(false);
    expect(fs.existsSync(path.dirname(seen))).toBe(false);
  });

  it("removes the file when the callback fails too", async () => {
    let seen = "";
    await expect(
      withKubeconfigFile(CONTENT, async (file) => {
        seen = file;
        throw new Error("kubectl broke");
      }),
    ).rejects.toThrow("kubectl broke");
    expect(fs.existsSync(path.dirname(seen))).toBe(false);
  });

  it("tells contents from paths", () => {
    expect(isKubeconfigContent(CONTENT)).toBe(true);
    expect(isKubeconfigContent('{"apiVersion":"v1"}')).toBe(true);
    expect(isKubeconfigContent("/home/me/.kube/config")).toBe(false);
  });
});
