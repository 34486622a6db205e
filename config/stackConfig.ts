import type { ConfigMap, Workspace } from "@pulumi/pulumi/automation";

/** The part of an Automation API workspace that reads a stack's config. */
export type ConfigReader = Pick<Workspace, "getAllConfig">;

/**
 * A stack's whole config (`namespace:key` → the text Pulumi stores), secrets decrypted, as the
 * program gets it from `pulumi.runtime.allConfig()`: what `npm run verify` reads, so that it checks
 * the stack with the settings the program deployed, secret keys included. The Automation API's
 * getAllConfig shows secrets (`pulumi config --show-secrets`); a value missing all the same is an
 * error rather than a default quietly taken in its place.
 */
export async function readStackConfig(
  workspace: ConfigReader,
  stackName: string,
): Promise<Record<string, string>> {
  const all: ConfigMap = await workspace.getAllConfig(stackName);
  const missing = Object.keys(all).filter((key) => all[key].value === undefined);
  if (missing.length > 0) {
    throw new Error(
      `the stack ${stackName}'s config gave ${missing.join(", ")} without its value (a secret not decrypted); verify needs every value the program reads`,
    );
  }
  return Object.fromEntries(Object.entries(all).map(([key, entry]) => [key, entry.value ?? ""]));
}
