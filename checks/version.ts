import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * A digest of the check code (this folder). The ConnectivityCheck passes it to its command, so
 * changing how the checks run re-runs them on the next `pulumi up`, and nothing else does.
 */
export function checksVersion(dir: string = __dirname): string {
  const hash = crypto.createHash("sha256");
  for (const file of fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(".ts"))
    .sort()) {
    hash
      .update(file)
      .update("\0")
      .update(fs.readFileSync(path.join(dir, file)))
      .update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}
