import { describe, expect, it } from "vitest";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { parseLabConfig, readRawLabConfig } from "../../config";
import { ConfigReader, readStackConfig } from "../../config/stackConfig";

/** A workspace holding these stacks' config as the Automation API's getAllConfig gives it. */
function workspaceOf(stacks: Record<string, ConfigMap>): ConfigReader & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    getAllConfig(stackName: string) {
      asked.push(stackName);
      const config = stacks[stackName];
      return config ? Promise.resolve(config) : Promise.reject(new Error(`no stack ${stackName}`));
    },
  };
}

const KUBECONFIG = "apiVersion: v1\nkind: Config\n";

describe("readStackConfig (npm run verify's view of the stack's config)", () => {
  it("holds every key, secrets decrypted, as the program gets them", async () => {
    const workspace = workspaceOf({
      dev: {
        "pod-to-pod:servicePort": { value: "8080", secret: true },
        "pod-to-pod:nginx": { value: '{"port":8081}', secret: false },
        "kubernetes:kubeconfig": { value: KUBECONFIG, secret: true },
        "kubernetes:context": { value: "lab", secret: false },
      },
    });
    expect(await readStackConfig(workspace, "dev")).toEqual({
      "pod-to-pod:servicePort": "8080",
      "pod-to-pod:nginx": '{"port":8081}',
      "kubernetes:kubeconfig": KUBECONFIG,
      "kubernetes:context": "lab",
    });
    expect(workspace.asked).toEqual(["dev"]);
  });

  it("gives the lab the secret servicePort the program deployed", async () => {
    const workspace = workspaceOf({
      dev: { "pod-to-pod:servicePort": { value: "8080", secret: true } },
    });
    const config = parseLabConfig(readRawLabConfig(await readStackConfig(workspace, "dev")));
    expect(config.servicePort).toBe(8080);
  });

  it("refuses a secret given without its value, naming the key", async () => {
    // What `pulumi config --json` without --show-secrets gives: a secret, but no value.
    const workspace = workspaceOf({ dev: { "pod-to-pod:servicePort": { secret: true } as never } });
    await expect(readStackConfig(workspace, "dev")).rejects.toThrow(
      new Error(
        "the stack dev's config gave pod-to-pod:servicePort without its value (a secret not decrypted); verify needs every value the program reads",
      ),
    );
  });
});
