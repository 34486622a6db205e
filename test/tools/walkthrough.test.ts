import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** The manifests B applies: the walkthrough's lab, and isolated as the program isolates it. */
let walkthroughManifests: typeof import("../../tools/lib/walkthrough").walkthroughManifests;
const state = fs.mkdtempSync(path.join(os.tmpdir(), "p2p-walkthrough-"));

beforeAll(async () => {
  fs.writeFileSync(
    path.join(state, "images.json"),
    JSON.stringify({ nginx: "localhost/nginx:test", busybox: "localhost/busybox:test" }),
  );
  process.env.POD_TO_POD_STATE = state;
  ({ walkthroughManifests } = await import("../../tools/lib/walkthrough"));
});
afterAll(() => fs.rmSync(state, { recursive: true, force: true }));

interface Item {
  kind: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: {
    podSelector?: { matchLabels?: Record<string, string> };
    policyTypes?: string[];
    ingress?: Array<{ from: Array<{ podSelector: { matchLabels: Record<string, string> } }> }>;
  };
}

function items(isolation: boolean): Item[] {
  return (JSON.parse(walkthroughManifests("ns-b", { isolation })) as { items: Item[] }).items;
}

/** Whether a NetworkPolicy's podSelector matches a pod's labels (matchLabels only). */
function selects(selector: Record<string, string> | undefined, labels: Record<string, string>) {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

describe("the walkthrough by kubectl (B)", () => {
  it("open: the walkthrough's two pods and Service, in the namespace, on the local images", () => {
    const open = items(false);
    expect(open.map((i) => `${i.kind}/${i.metadata.name}`).sort()).toEqual([
      "Pod/busybox-client",
      "Pod/nginx-server",
      "Service/nginx-service",
    ]);
    expect(open.every((i) => i.metadata.namespace === "ns-b")).toBe(true);
  });

  it("isolated: the program's two policies, which let the client into nginx and not the stranger", () => {
    const isolated = items(true);
    const pod = (name: string) =>
      isolated.find((i) => i.kind === "Pod" && i.metadata.name === name);
    const policies = isolated.filter((i) => i.kind === "NetworkPolicy");
    expect(policies.map((p) => p.metadata.name).sort()).toEqual([
      "nginx-allow-client",
      "pod-to-pod-default-deny",
    ]);
    const nginx = pod("nginx-server")?.metadata.labels ?? {};
    const client = pod("busybox-client")?.metadata.labels ?? {};
    const stranger = pod("stranger-client")?.metadata.labels ?? {};
    // Every pod is isolated (the default deny selects them all, for ingress).
    const deny = policies.find((p) => p.metadata.name === "pod-to-pod-default-deny");
    expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
    // nginx lets in the client alone.
    const allow = policies.find((p) => p.metadata.name === "nginx-allow-client");
    expect(selects(allow?.spec.podSelector?.matchLabels, nginx)).toBe(true);
    const from = allow?.spec.ingress?.[0].from[0].podSelector.matchLabels;
    expect(selects(from, client)).toBe(true);
    expect(selects(from, stranger)).toBe(false);
  });
});
