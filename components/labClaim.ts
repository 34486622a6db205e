import * as pulumi from "@pulumi/pulumi";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { kubeconfigSource } from "../checks/probe/kubeconfig";
import { anonymousFile, kubectlBinary } from "../checks/probe/kubectl";
import {
  judgeClaims,
  LabIdentity,
  LabObjectRef,
  LiveObject,
  parseLiveObjects,
  refusalMessage,
} from "./labIdentity";

/** How long each of kubectl's requests may take: an unreachable cluster must not hold up a preview. */
const REQUEST_TIMEOUT_SECONDS = 5;

/** What the cluster said about the lab's names: the objects, or why it could not be asked. */
export type ClusterRead =
  { readonly ok: true; readonly json: string } | { readonly ok: false; readonly reason: string };

/**
 * Reads the objects the lab is about to create, by kind and name, with one `kubectl get` and the
 * stack's kubernetes:kubeconfig and kubernetes:context (as the check runner does; a kubeconfig held
 * in the config reaches kubectl as a nameless file, never a path or an argument).
 */
export function readLabObjects(namespace: string, objects: readonly LabObjectRef[]): ClusterRead {
  const config = pulumi.runtime.allConfig();
  const source = kubeconfigSource(config["kubernetes:kubeconfig"]);
  const context = config["kubernetes:context"];
  const args = [
    ...(source.kind === "content" ? ["--kubeconfig=/dev/fd/3"] : []),
    ...(context ? ["--context", context] : []),
    `--request-timeout=${REQUEST_TIMEOUT_SECONDS}s`,
    "get",
    "--namespace",
    namespace,
    "--ignore-not-found",
    "--output",
    "json",
    ...objects.map((object) => `${object.kind}/${object.name}`),
  ];
  const env = { ...process.env };
  if (source.kind === "path") {
    env.KUBECONFIG = source.path;
  } else if (source.kind === "content") {
    delete env.KUBECONFIG;
  }
  const fd =
    source.kind === "content" ? anonymousFile(source.content, "pod-to-pod-claim") : undefined;
  try {
    const result = spawnSync(kubectlBinary(), args, {
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe", ...(fd !== undefined ? [fd] : [])],
      // kubectl asks for each name in turn: a bound on the whole read too.
      timeout: 2 * REQUEST_TIMEOUT_SECONDS * 1000,
    });
    if (result.error) {
      return { ok: false, reason: result.error.message };
    }
    if (result.status !== 0) {
      return { ok: false, reason: result.stderr.trim() || `kubectl exited ${result.status}` };
    }
    return { ok: true, json: result.stdout };
  } finally {
    if (fd !== undefined) {
      fs.closeSync(fd);
    }
  }
}

/** How {@link claimLabNames} reads the cluster unless told otherwise. */
let clusterReader: LabClaimArgs["read"] & object = readLabObjects;

/**
 * Replaces how the lab reads the cluster before it claims its names (the unit tests' mocked
 * cluster); returns the reader it replaced.
 */
export function useClusterReader(
  read: (namespace: string, objects: readonly LabObjectRef[]) => ClusterRead,
): (namespace: string, objects: readonly LabObjectRef[]) => ClusterRead {
  const previous = clusterReader;
  clusterReader = read;
  return previous;
}

/** Arguments of {@link claimLabNames}. */
export interface LabClaimArgs {
  /** This lab's identity. */
  readonly identity: LabIdentity;
  /** The namespace it runs in. */
  readonly namespace: string;
  /** Whether the lab creates the namespace (and so must own it) or only uses it. */
  readonly createNamespace: boolean;
  /** Every object the lab creates under a fixed name, the namespace first when it creates it. */
  readonly objects: readonly LabObjectRef[];
  /** How the cluster is read (replaced in tests). */
  readonly read?: (namespace: string, objects: readonly LabObjectRef[]) => ClusterRead;
}

/**
 * Refuses, before the lab registers anything (so at preview too), to use names that another
 * stack's lab, or something that is not a lab, holds in the cluster: a pulumi.RunError naming each
 * object, its owner and the key to set. Objects of this very lab pass (a leftover of its own
 * interrupted `up` is adopted by the provider's upsertExistingObjects). Objects of a lab from before
 * stack identities are taken over with a warning. Where the cluster cannot be read (no kubectl at
 * preview, an unreachable API server) nothing is judged here: a preview still plans, and an `up`
 * fails at the provider, naming the cluster. Returns what the cluster holds under those names
 * (undefined when it could not be read).
 */
export function claimLabNames(
  args: LabClaimArgs,
  resource?: pulumi.Resource,
): readonly LiveObject[] | undefined {
  const read = args.read ?? clusterReader;
  const answer = read(args.namespace, args.objects);
  // Narrowed by its field, not by `ok`: the package's provider is compiled without strict mode,
  // where a boolean discriminant does not narrow.
  if ("reason" in answer) {
    // A preview without a cluster is common (pull requests); an up without one fails at the
    // provider anyway. An up that could not ask still has the API server's own refusal: the
    // identity annotations conflict under server-side apply.
    const message = `pod-to-pod: could not read namespace ${args.namespace} to check who owns it: ${answer.reason}`;
    void (pulumi.runtime.isDryRun()
      ? pulumi.log.debug(message, resource)
      : pulumi.log.warn(message, resource));
    return undefined;
  }
  const live = parseLiveObjects(answer.json);
  const verdict = judgeClaims(args.identity, live, args.namespace, args.createNamespace);
  if (verdict.refusals.length > 0) {
    throw new pulumi.RunError(refusalMessage(args.identity, args.namespace, verdict.refusals));
  }
  if (verdict.unnamed.length > 0) {
    void pulumi.log.warn(
      `pod-to-pod: ${verdict.unnamed.join(", ")} carry no stack identity (a lab from before identities): this stack takes them over and marks them as its own`,
      resource,
    );
  }
  return live;
}
