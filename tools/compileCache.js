// @ts-check
/**
 * Preloaded into the program's Node.js process (Pulumi.yaml: `nodeargs: --require
 * ./tools/compileCache.js`). Most of a preview is spent loading modules: the Pulumi SDK, the
 * kubernetes and command SDKs, zod, OpenTelemetry. Node's compile cache keeps V8's compiled code of
 * every module it loads in node_modules/.cache/pod-to-pod/v8, so later runs skip compiling them.
 * The cache is keyed by each file's content: an edited file is compiled afresh. Where the folder
 * cannot be written, or on a Node.js without the cache, the program runs as before.
 */
"use strict";
const path = require("node:path");
// Typed by hand: the project's @types/node (20) predates the API (Node 22.1).
const nodeModule = /** @type {{ enableCompileCache?: (dir: string) => unknown }} */ (
  /** @type {unknown} */ (require("node:module"))
);

if (typeof nodeModule.enableCompileCache === "function") {
  nodeModule.enableCompileCache(
    path.join(__dirname, "..", "node_modules", ".cache", "pod-to-pod", "v8"),
  );
}
