import * as pulumi from "@pulumi/pulumi";
import { Verification } from "../../checks/contract/types";
import { useClusterReader } from "../../components/labClaim";
import { seedPlan } from "../helpers";

/** Pulumi's wire form of a secret value, as mocks receive secret inputs. */
export const SECRET_SIG = {
  "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
};

/** What the program registered, in order: the mocks record every resource's inputs. */
export const registered: pulumi.runtime.MockResourceArgs[] = [];

/** Pod IPs and node the mocked cluster hands out: the walkthrough's. */
export const mockCluster = {
  nginxIp: seedPlan.serverPodIp,
  busyboxIp: seedPlan.clientPodIp,
  node: "vagrant",
  clusterIp: seedPlan.serviceClusterIp,
};

/** A UID per resource name, shaped as Kubernetes makes them. */
export function mockUid(name: string): string {
  const hex = Buffer.from(name).toString("hex").padEnd(32, "0").slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * What the mocked check command prints: a verdict the tests wrote, not one the mock makes up, so a
 * test sees whether the program passes the runner's output through. Two of nine failed, so a
 * program that fabricated a clean 9/9 shows.
 */
export const mockRunnerVerification: Verification = {
  schemaVersion: 2,
  checkedAt: "2026-12-01T19:00:00.000Z",
  runnerVersion: "0.1.0+mocked",
  passed: 7,
  failed: 2,
  checks: [
    { name: "pod-ip-http", ok: true, detail: "mocked", ms: 1 },
    { name: "service-dns-http", ok: false, detail: "mocked failure", ms: 1 },
    { name: "service-fqdn-http", ok: false, detail: "mocked failure", ms: 1 },
    { name: "service-clusterip-http", ok: true, detail: "mocked", ms: 1 },
    { name: "dns", ok: true, detail: "mocked", ms: 1 },
    { name: "ping", ok: true, detail: "mocked", ms: 1 },
    { name: "pod-interface", ok: true, detail: "mocked", ms: 1 },
    { name: "pod-routes", ok: true, detail: "mocked", ms: 1 },
    { name: "pod-cidr", ok: true, detail: "mocked", ms: 0 },
  ],
  diagnosis: { layer: "dns", summary: "mocked", evidence: [] },
};

function podState(name: string, inputs: Record<string, any>): Record<string, unknown> {
  const ip = inputs.metadata?.name === "nginx-server" ? mockCluster.nginxIp : mockCluster.busyboxIp;
  return {
    ...inputs,
    metadata: { ...inputs.metadata, uid: mockUid(name) },
    spec: { ...inputs.spec, nodeName: mockCluster.node },
    status: { podIP: ip, phase: "Running" },
  };
}

/**
 * The objects the mocked cluster holds under the lab's names, as `kubectl get -o json` lists them:
 * none, unless a test puts some there (and takes them out again).
 */
export const mockLiveObjects: Array<Record<string, unknown>> = [];

/** The namespaces and object names the lab asked the mocked cluster about, in order. */
export const clusterReads: Array<{ namespace: string; objects: string[] }> = [];

/**
 * Installs mocks that act like a cluster; `call` is not used by the program, so it throws. The
 * check command's stdout comes back secret whenever an input was (as the command provider marks
 * every output of a command with a secret input).
 */
export async function installMocks(): Promise<void> {
  useClusterReader((namespace, objects) => {
    clusterReads.push({ namespace, objects: objects.map((o) => `${o.kind}/${o.name}`) });
    return { ok: true, json: JSON.stringify({ kind: "List", items: mockLiveObjects }) };
  });
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push(args);
        let state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "kubernetes:core/v1:Pod") {
          state = podState(args.name, args.inputs);
        } else if (args.type === "kubernetes:apps/v1:DaemonSet") {
          state = {
            ...args.inputs,
            metadata: { ...args.inputs.metadata, uid: mockUid(args.name) },
          };
        } else if (args.type === "kubernetes:core/v1:Service") {
          state = {
            ...args.inputs,
            metadata: { ...args.inputs.metadata, uid: mockUid("service") },
            spec: { ...args.inputs.spec, clusterIP: mockCluster.clusterIp },
          };
        } else if (args.type === "command:local:Command") {
          const stdout = JSON.stringify(mockRunnerVerification) + "\n";
          state = {
            ...args.inputs,
            stdout: args.inputs.stdin !== undefined ? { ...SECRET_SIG, value: stdout } : stdout,
            stderr: "",
          };
        }
        return { id: `${args.name}-id`, state };
      },
      call(args) {
        throw new Error(`The program made an unexpected call: ${args.token}`);
      },
    },
    "pod-to-pod",
    "test",
    false,
  );
}

/** Resolves an Output's value in a test. */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** The inputs of the one registered resource of a type whose name matches. */
export function inputsOf(type: string, nameMatch?: RegExp): Record<string, any> {
  const found = registered.filter((r) => r.type === type && (!nameMatch || nameMatch.test(r.name)));
  if (found.length !== 1) {
    throw new Error(
      `expected one ${type}${nameMatch ? ` named like ${nameMatch}` : ""}, found ${found.length}`,
    );
  }
  return found[0].inputs;
}

/** The mock monitor's record of what it registered, by URN; its typings keep it internal. */
interface MockMonitor {
  getRegisteredResources(): Map<string, unknown>;
}

/**
 * The URN the engine gives a registered resource: the one whose name and last type match. The URN
 * carries every parent's type, which is what the policy pack's exemption is keyed on. The SDK's
 * mocks name only the direct parent's type (`<parent type>$<type>`), so the chain is rebuilt from
 * the parent, the one registered resource of that type (which holds for one lab per program).
 */
export function urnOf(type: string, name: string): string {
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
  const mocked = [...monitor.getRegisteredResources().keys()];
  const split = (urn: string) => {
    const [, , qualifiedType, ...rest] = urn.split("::");
    return { types: qualifiedType.split("$"), name: rest.join("::") };
  };
  const one = (matching: string[], what: string) => {
    if (matching.length !== 1) {
      throw new Error(`expected one URN for ${what}, found ${matching.length}`);
    }
    return matching[0];
  };
  const engineType = (urn: string): string => {
    const { types } = split(urn);
    if (types.length === 1) {
      return types[0];
    }
    const parentType = types[types.length - 2];
    const parent = one(
      mocked.filter((other) => split(other).types.at(-1) === parentType),
      parentType,
    );
    return `${engineType(parent)}$${types[types.length - 1]}`;
  };
  const urn = one(
    mocked.filter((candidate) => {
      const parts = split(candidate);
      return parts.name === name && parts.types.at(-1) === type;
    }),
    `${type}::${name}`,
  );
  return `${urn.split("::").slice(0, 2).join("::")}::${engineType(urn)}::${name}`;
}
