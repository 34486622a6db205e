import * as pulumi from "@pulumi/pulumi";
import { summarize } from "../../checks/diagnose";
import { fromEnvironment } from "../../checks/environment";
import { evaluateChecks } from "../../checks/evaluate";
import { parseSections } from "../../checks/podScript";
import { seedNodes, seedPlan, seedScriptOutput } from "../helpers";

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

function podState(name: string, inputs: Record<string, any>): Record<string, unknown> {
  const ip = inputs.metadata?.name === "nginx-server" ? mockCluster.nginxIp : mockCluster.busyboxIp;
  return {
    ...inputs,
    metadata: { ...inputs.metadata, uid: `uid-${name}` },
    spec: { ...inputs.spec, nodeName: mockCluster.node },
    status: { podIP: ip, phase: "Running" },
  };
}

/** Installs mocks that act like a healthy cluster; `call` is not used by the program, so it throws. */
export async function installMocks(): Promise<void> {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push(args);
        let state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "kubernetes:core/v1:Pod") {
          state = podState(args.name, args.inputs);
        } else if (args.type === "kubernetes:core/v1:Service") {
          state = {
            ...args.inputs,
            metadata: { ...args.inputs.metadata, uid: "uid-service" },
            spec: { ...args.inputs.spec, clusterIP: mockCluster.clusterIp },
          };
        } else if (args.type === "command:local:Command") {
          // The checks see what the program handed the runner: a wrong IP or name fails them.
          const { plan } = fromEnvironment(args.inputs.environment as NodeJS.ProcessEnv);
          const verification = summarize(
            evaluateChecks(plan, parseSections(seedScriptOutput()), seedNodes),
          );
          state = { ...args.inputs, stdout: JSON.stringify(verification), stderr: "" };
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
