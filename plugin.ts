/**
 * The package's entry point (package.json's `main`): what `pulumi package add` and a consumer's
 * engine load. PulumiPlugin.yaml runs it with the Node.js runtime, whose plugin host serves every
 * component exported here through the SDK's component provider (`componentProviderHost`), which
 * reads their TypeScript types to write the schema. Only the lab is exported: its parts
 * (components/) are its implementation, not the package's interface.
 */
export { PodToPodLab } from "./components/podToPodLab";
