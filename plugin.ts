/**
 * The package's entry point (package.json's `main`): what `pulumi package add` and a consumer's
 * engine load. PulumiPlugin.yaml runs it with the Node.js runtime, whose plugin host serves every
 * component exported here through the SDK's component provider (`componentProviderHost`), which
 * reads their TypeScript types to write the schema. Only the lab is exported: its parts
 * (components/) are its implementation, not the package's interface.
 */
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { withRepository } from "./components/packageSchema";

// The SDK's component provider (3.259) writes the schema from package.json's name, version and
// description only, and its host takes no other schema field: its getSchema is wrapped to add the
// repository and the Go import path, which name the Go SDK's module (test/packageRelease.test.ts,
// test/real/package.test.ts and the Go consumer of test/real/consumers.test.ts hold it).
const getSchema = ComponentProvider.prototype.getSchema;
ComponentProvider.prototype.getSchema = async function (this: ComponentProvider) {
  return withRepository(await getSchema.call(this));
};

export { PodToPodLab } from "./components/podToPodLab";
