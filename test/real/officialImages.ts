import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULTS } from "../../config";
import { PROJECT_DIR, run } from "./cli";

/**
 * The official images the program defaults to (config's DEFAULTS: nginx and busybox), stood in
 * for by local-cluster/images/build.sh's nginx-official and busybox-official (Debian's packages
 * laid out as the official images, no pull) and imported into every node of the local cluster
 * under the defaults' own names, so that the program's pods run them with its pull policy as is.
 */
export interface OfficialImage {
  /** The name the program defaults to, as its pods name it (e.g. nginx:1.28.0). */
  readonly reference: string;
  /** The same name in full, as containerd holds it (docker.io/library/nginx:1.28.0). */
  readonly fullName: string;
  /** The stand-in's image ID (its config's digest): what the kubelet reports it ran. */
  readonly imageId: string;
}

/** A Docker Hub short name in full: `nginx:1.28.0` is `docker.io/library/nginx:1.28.0`. */
export function fullImageName(reference: string): string {
  const first = reference.split("/")[0];
  const hasRegistry =
    reference.includes("/") &&
    (first.includes(".") || first.includes(":") || first === "localhost");
  if (hasRegistry) {
    return reference;
  }
  return reference.includes("/") ? `docker.io/${reference}` : `docker.io/library/${reference}`;
}

/** Builds (or finds cached) the stand-ins and imports them under the defaults' names. */
export function importOfficialImages(): { nginx: OfficialImage; busybox: OfficialImage } {
  const built = run("bash", [
    "local-cluster/images/build.sh",
    "nginx-official",
    "busybox-official",
  ]);
  if (built.code !== 0) {
    throw new Error(`images/build.sh failed: ${built.stderr}`);
  }
  const refs = JSON.parse(built.stdout) as Record<string, string>;
  const cache = process.env.POD_TO_POD_CACHE ?? "/var/cache/pod-to-pod";
  const image = (name: string, reference: string): OfficialImage => {
    const ref = refs[`${name}-official`];
    const tarball = path.join(cache, "images", `${name}-official-${ref.split(":").pop()}.tar`);
    const fullName = fullImageName(reference);
    const imported = run("bash", [
      path.join(PROJECT_DIR, "local-cluster/cluster.sh"),
      "import-image",
      tarball,
      fullName,
    ]);
    if (imported.code !== 0) {
      throw new Error(`cluster.sh import-image ${tarball} ${fullName}: ${imported.stderr}`);
    }
    const manifest = JSON.parse(run("tar", ["-xOf", tarball, "manifest.json"]).stdout) as Array<{
      Config: string;
    }>;
    return { reference, fullName, imageId: `sha256:${manifest[0].Config.replace(/\.json$/, "")}` };
  };
  if (!fs.existsSync(cache)) {
    throw new Error(`no image cache at ${cache}`);
  }
  return {
    nginx: image("nginx", DEFAULTS.nginx.image),
    busybox: image("busybox", DEFAULTS.busybox.image),
  };
}
