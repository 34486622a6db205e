import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IDENTITY_DIR, IDENTITY_FILE, renderNginxConf } from "../../components/nginxConf";

/**
 * The nginx.conf the server pod runs with, checked by nginx itself (`nginx -t`) in the very image
 * the local cluster runs, rather than by reading its text. The image is the local cluster's
 * (built from Debian's nginx by local-cluster/images/build.sh); scripts/test.sh builds it first.
 */
const cache = process.env.POD_TO_POD_CACHE ?? "/var/cache/pod-to-pod";
let rootfs: string;

beforeAll(() => {
  const images = path.join(cache, "images");
  const archive = fs.readdirSync(images).find((name) => /^nginx-.*\.tar$/.test(name));
  expect(archive, `the local nginx image in ${images}`).toBeDefined();
  rootfs = fs.mkdtempSync(path.join(os.tmpdir(), "p2p-nginx-rootfs-"));
  const tarball = path.join(images, archive!);
  const manifest = JSON.parse(
    execFileSync("tar", ["-xOf", tarball, "manifest.json"], { encoding: "utf8" }),
  ) as Array<{
    Layers: string[];
  }>;
  const layer = execFileSync("tar", ["-xOf", tarball, manifest[0].Layers[0]], {
    maxBuffer: 512 * 1024 * 1024,
  });
  execFileSync("tar", ["-xf", "-", "-C", rootfs], { input: layer });
});

afterAll(() => fs.rmSync(rootfs, { recursive: true, force: true }));

/** Runs `nginx -t` on a config inside the image, as the pod's container would read it. */
function nginxTest(conf: string): { code: number | null; output: string } {
  const dir = path.join(rootfs, "etc/pod-to-pod-nginx");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "nginx.conf"), conf);
  fs.mkdirSync(path.join(rootfs, IDENTITY_DIR), { recursive: true });
  fs.writeFileSync(path.join(rootfs, IDENTITY_DIR, IDENTITY_FILE), "uid");
  fs.mkdirSync(path.join(rootfs, "tmp"), { recursive: true });
  // The container runtime gives a container its /dev; a bare chroot has none, and nginx -t opens
  // the log files the config names.
  fs.mkdirSync(path.join(rootfs, "dev"), { recursive: true });
  for (const device of ["stdout", "stderr"]) {
    fs.writeFileSync(path.join(rootfs, "dev", device), "");
  }
  const result = spawnSync(
    "chroot",
    [rootfs, "/usr/sbin/nginx", "-t", "-e", "stderr", "-c", "/etc/pod-to-pod-nginx/nginx.conf"],
    { encoding: "utf8" },
  );
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("the server's nginx.conf, as nginx reads it", () => {
  it.each([80, 8080])("is valid on port %i", (port) => {
    const result = nginxTest(renderNginxConf(port));
    expect(result.output).toContain("syntax is ok");
    expect(result.code, result.output).toBe(0);
  });

  it("is checked for real: a broken config fails the same test", () => {
    const result = nginxTest(renderNginxConf(80).replace("listen 80;", "listen 80"));
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/emerg/);
  });
});
