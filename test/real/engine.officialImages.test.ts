import * as fs from "node:fs";
import { Stack } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Verification } from "../../checks/contract/types";
import { LAB_NAMES } from "../../components/names";
import { DEFAULTS } from "../../config";
import { harness, Harness, uniqueStack } from "../../tools/lib/engine";
import { PROJECT_DIR, run } from "./cli";
import { importOfficialImages, OfficialImage } from "./officialImages";

/**
 * `pulumi up` as a user runs it: the program's default images (the official nginx and busybox,
 * here their stand-ins from local-cluster/images/build.sh, imported under the defaults' names)
 * with its default pull policy. The stack sets nothing but its namespace.
 */
const namespace = process.env.POD_TO_POD_TEST_NAMESPACE ?? "p2p-official-engine";
let engine: Harness;
let stack: Stack;
let images: { nginx: OfficialImage; busybox: OfficialImage };

function kubectl(...args: string[]) {
  return run("kubectl", args, { KUBECONFIG: engine.env.KUBECONFIG }, 120_000);
}

beforeAll(async () => {
  expect(process.env.KUBECONFIG, "scripts/test.sh sets KUBECONFIG").toBeTruthy();
  images = importOfficialImages();
  engine = await harness(process.env.KUBECONFIG!);
  stack = await engine.stack(uniqueStack("official"));
  await stack.setConfig("pod-to-pod:namespace", { value: namespace });
});

afterAll(async () => {
  await stack?.destroy().catch(() => undefined);
  await stack?.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
  engine?.close();
});

describe("the program's default images under the real engine", () => {
  it("sets no image, and every check passes with the official images' stand-ins", async () => {
    // The stack's own file sets the namespace alone (the rest are Pulumi.yaml's defaults).
    const own = fs.readFileSync(`${PROJECT_DIR}/Pulumi.${stack.name}.yaml`, "utf8");
    expect(own.match(/^ {2}pod-to-pod:\w+/gm)).toEqual(["  pod-to-pod:namespace"]);
    const started = Date.now();
    await stack.up();
    const verification = (await stack.outputs()).verification.value as Verification;
    expect(verification.failed, JSON.stringify(verification.checks, null, 1)).toBe(0);
    expect(verification.passed).toBe(14);
    // Both pods were Ready at once: nothing was pulled, nothing waited out.
    expect(Date.now() - started).toBeLessThan(120_000);
  });

  it("runs each pod with the default image and pull policy, from the stand-in imported under that name", () => {
    for (const [pod, image, settings] of [
      [LAB_NAMES.serverPod, images.nginx, DEFAULTS.nginx],
      [LAB_NAMES.clientPod, images.busybox, DEFAULTS.busybox],
    ] as const) {
      const live = JSON.parse(kubectl("get", "pod", "-n", namespace, pod, "-o", "json").stdout) as {
        spec: { containers: Array<{ image: string; imagePullPolicy: string }> };
        status: { containerStatuses: Array<{ image: string; imageID: string }> };
      };
      expect(live.spec.containers[0]).toMatchObject({
        image: settings.image,
        imagePullPolicy: "IfNotPresent",
      });
      expect(live.status.containerStatuses[0]).toMatchObject({
        image: image.fullName,
        imageID: image.imageId,
      });
    }
  });

  // An image that cannot do its pod's job fails in seconds, at its image check, before the pod.
  it.each([
    [
      "the server, with busybox as its nginx",
      "nginx",
      () => images.busybox.reference,
      "nginx-image-check",
      'exec: "nginx": executable file not found in $PATH',
    ],
    [
      "the client, with the pause image as its busybox",
      "busybox",
      () => pauseImage(),
      "busybox-image-check",
      'exec: "sh": executable file not found in $PATH',
    ],
  ])(
    "%s: up fails within 60 s naming the check and what is wrong, and converges once mended",
    async (_, workload, image, check, reason) => {
      await stack.setAllConfig(
        {
          [`pod-to-pod:${workload}.image`]: { value: image() },
          [`pod-to-pod:${workload}.imagePullPolicy`]: { value: "IfNotPresent" },
        },
        true,
      );
      let text = "";
      const started = Date.now();
      await expect(
        stack.up({ onOutput: (s) => (text += s), onError: (s) => (text += s) }),
      ).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(text).toContain(check);
      expect(text).toContain(reason);
      await stack.removeConfig(`pod-to-pod:${workload}`);
      await stack.up();
      expect(((await stack.outputs()).verification.value as Verification).failed).toBe(0);
    },
  );
});

/** The local cluster's pause image (images.json): present on every node, and no shell in it. */
function pauseImage(): string {
  const state = process.env.POD_TO_POD_STATE ?? "/var/lib/pod-to-pod";
  return (JSON.parse(fs.readFileSync(`${state}/images.json`, "utf8")) as { pause: string }).pause;
}
