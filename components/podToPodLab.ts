import * as pulumi from "@pulumi/pulumi";
import { assertKubectlAvailable } from "../checks/probe/kubectl";
import { LabConfig, loadKubeAccess, parseLabArgs, RawLabConfig } from "../config";
import { BusyboxClient } from "./busyboxClient";
import { ConnectivityCheck } from "./connectivityCheck";
import { claimLabNames } from "./labClaim";
import {
  FIELD_MANAGER_ANNOTATION,
  fieldManagerOf,
  identityAnnotations,
  LabIdentity,
  LabObjectRef,
  LiveObject,
} from "./labIdentity";
import { LabNamespace } from "./labNamespace";
import { LabNetworkPolicy } from "./labNetworkPolicy";
import {
  LabBusybox,
  LabChecks,
  LabMesh,
  LabNginx,
  LabVerification,
  toLabVerification,
} from "./labTypes";
import { LAB_NAMES, labNameProblem, LabObjectNames, prefixedLabNames } from "./names";
import { MESH } from "./meshPlan";
import { PreviousVerdict, VERDICT_CONFIGMAP, verdictOf } from "./verdictGate";
import { nginxConfMapName } from "./nginxConf";
import { NginxServer } from "./nginxServer";
import { NodeMesh } from "./nodeMesh";
import { MeshReporting, REPORTER_ACCOUNT } from "./meshReporting";
import { echoConfMapName } from "./meshEchoServers";
import { NginxService } from "./nginxService";
import { clientAffinity } from "./placement";
import { StrangerClient } from "./strangerClient";

/**
 * Arguments of {@link PodToPodLab}: the stack config's `pod-to-pod:*` keys, with the same defaults
 * and checks (config/schema.ts). Every one may be left out.
 */
export interface PodToPodLabArgs {
  /** Namespace of the lab, a DNS label (default pod-to-pod). */
  readonly namespace?: string;
  /** Create the namespace and delete it on destroy (default true), or use an existing one; default, kube-system, kube-public and kube-node-lease are always used, never created. */
  readonly createNamespace?: boolean;
  /** The nginx server: image, imagePullPolicy, port, resources. */
  readonly nginx?: LabNginx;
  /** The busybox client: image, imagePullPolicy, resources. */
  readonly busybox?: LabBusybox;
  /** The port the Service listens on, 1-65535 (default 80). */
  readonly servicePort?: number;
  /** Where the client runs relative to the server: any (default), same-node or different-nodes. */
  readonly placement?: string;
  /** Isolate the lab with NetworkPolicy and prove it enforced with a stranger pod (default true). */
  readonly networkPolicy?: boolean;
  /**
   * Which paths are verified: pair (default), the walkthrough's two pods; or every-node, also an
   * echo server, a client and a node probe on every schedulable node, every path between them. The
   * mesh's objects (mesh-echo, mesh-client, mesh-node-probe) have fixed names: one every-node lab
   * per namespace.
   */
  readonly coverage?: string;
  /** The every-node mesh: parallelism, nodeToPod, allPairsUpTo. */
  readonly mesh?: LabMesh;
  /** The cluster's DNS domain (default cluster.local). */
  readonly clusterDomain?: string;
  /** How long to wait for each pod to become Ready, 10-3600 seconds (default 300). */
  readonly podReadyTimeoutSeconds?: number;
  /** The connectivity check: pingCount, timeoutSeconds, reportOnly. */
  readonly checks?: LabChecks;
  /**
   * Name the objects as the walkthrough does (nginx-server, busybox-client, nginx-service, ...), as
   * the pod-to-pod program does; one such lab per stack and namespace. By default (false) they are
   * named after this component (`<name>-nginx-server`, ...), so that labs share a namespace.
   */
  readonly walkthroughNames?: boolean;
}

/** The component's type token: `<package>:index:<class>`, as a component provider serves it. */
const TYPE = "pod-to-pod:index:PodToPodLab";

/**
 * The walkthrough-named lab of this deployment, if one was made: a second would take the same
 * Pulumi names (and URNs), which the engine refuses with less to go on.
 */
let walkthroughLab: string | undefined;

/** An argument object without its absent values: a consumer's SDK may send null for one left out. */
function withoutAbsent(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(withoutAbsent);
  }
  if (value && typeof value === "object" && !pulumi.Output.isInstance(value)) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined && v !== null)
        .map(([k, v]) => [k, withoutAbsent(v)]),
    );
  }
  return value;
}

/** The names of the argument paths holding an Output: the arguments must be plain values. */
function outputPaths(value: unknown, at: string[] = []): string[] {
  if (pulumi.Output.isInstance(value)) {
    return [at.join(".")];
  }
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => outputPaths(v, [...at, k]));
  }
  return [];
}

/**
 * The lab's arguments validated, and kubectl found when the checks will run: a mistake is a
 * RunError naming the argument, the value and what is accepted.
 */
function checkedArgs(
  name: string,
  args: PodToPodLabArgs | undefined,
): { walkthroughNames: boolean; config: LabConfig } {
  const { walkthroughNames = false, ...settings } = (withoutAbsent(args ?? {}) ??
    {}) as PodToPodLabArgs;
  const lab = `PodToPodLab "${name}"`;
  const outputs = outputPaths(settings);
  if (outputs.length > 0) {
    throw new pulumi.RunError(
      `Invalid arguments of ${lab}: ${outputs.join(", ")} must be plain values, known before the deployment (an Output is not accepted)`,
    );
  }
  if (walkthroughNames && walkthroughLab !== undefined) {
    throw new pulumi.RunError(
      `Invalid arguments of ${lab}: walkthroughNames = true is not valid: PodToPodLab "${walkthroughLab}" has the walkthrough's names already, and a stack holds one such lab; accepted: walkthroughNames false (the default), which names this lab's objects after "${name}"`,
    );
  }
  const nameProblem = walkthroughNames ? undefined : labNameProblem(name);
  if (nameProblem) {
    throw new pulumi.RunError(`Invalid name of ${lab}: ${name} is not valid: ${nameProblem}`);
  }
  const config = parseLabArgs(lab, settings as RawLabConfig);
  // The check needs kubectl; say so before anything is created rather than after the pods exist.
  // A preview runs no command, so previews without kubectl (pull requests) still work.
  if (!pulumi.runtime.isDryRun()) {
    try {
      assertKubectlAvailable();
    } catch (error) {
      // The user's setup, not a bug: a message, not a stack trace.
      throw new pulumi.RunError(error instanceof Error ? error.message : String(error));
    }
  }
  if (walkthroughNames) {
    walkthroughLab = name;
  }
  return { walkthroughNames, config };
}

/**
 * Every object the lab creates under a fixed name, the namespace first when it creates it: what
 * must not belong to another stack already: nginx.conf's ConfigMaps too, named after the pod or
 * DaemonSet that mounts them and the conf's hash.
 */
export function fixedNameObjects(
  names: LabObjectNames,
  config: LabConfig,
  program = false,
): LabObjectRef[] {
  const isolated = config.networkPolicy;
  const mesh = config.coverage === "every-node";
  return [
    ...(config.createNamespace ? [{ kind: "namespace", name: config.namespace }] : []),
    { kind: "pod", name: names.serverPod },
    { kind: "configmap", name: nginxConfMapName(names.serverPod, config.nginx.port) },
    { kind: "job", name: names.serverImageCheck },
    { kind: "pod", name: names.clientPod },
    { kind: "job", name: names.clientImageCheck },
    { kind: "service", name: names.service },
    ...(isolated
      ? [
          { kind: "pod", name: names.strangerPod },
          { kind: "networkpolicy", name: names.defaultDenyPolicy },
          { kind: "networkpolicy", name: names.allowClientPolicy },
        ]
      : []),
    ...(mesh
      ? [
          { kind: "daemonset", name: MESH.echoDaemonSet },
          { kind: "configmap", name: echoConfMapName(config.nginx.port) },
          { kind: "daemonset", name: "mesh-client" },
          ...(config.mesh.nodeToPod ? [{ kind: "daemonset", name: "mesh-node-probe" }] : []),
          { kind: "service", name: MESH.serviceName },
          { kind: "configmap", name: MESH.rotationConfigMap },
          ...(isolated ? [{ kind: "networkpolicy", name: "mesh-echo-allow" }] : []),
          { kind: "serviceaccount", name: REPORTER_ACCOUNT },
          { kind: "role", name: REPORTER_ACCOUNT },
          { kind: "rolebinding", name: REPORTER_ACCOUNT },
        ]
      : []),
    // The program's lab keeps its last verdict there (components/verdictGate.ts).
    ...(program ? [{ kind: "configmap", name: VERDICT_CONFIGMAP }] : []),
  ];
}

/** The last verdict the lab kept in its namespace, among the objects read before registering. */
function previousVerdictIn(live: readonly LiveObject[] | undefined): PreviousVerdict | undefined {
  const kept = live?.find((o) => o.kind === "configmap" && o.name === VERDICT_CONFIGMAP);
  return verdictOf(kept?.data);
}

/**
 * Marks every Kubernetes object a component makes with the lab's identity (annotations): what
 * tells this stack's objects from another's in the cluster. Each is also written by a field
 * manager named after the stack, so a server-side apply conflict names whose the object is.
 */
function withIdentity(identity: LabIdentity): pulumi.ResourceTransformation {
  const annotations = {
    ...identityAnnotations(identity),
    [FIELD_MANAGER_ANNOTATION]: fieldManagerOf(identity),
  };
  return (args) => {
    if (!args.type.startsWith("kubernetes:") || typeof args.props.metadata !== "object") {
      return undefined;
    }
    const metadata = args.props.metadata as Record<string, unknown>;
    return {
      props: {
        ...args.props,
        metadata: {
          ...metadata,
          annotations: { ...(metadata.annotations as Record<string, string>), ...annotations },
        },
      },
      opts: args.opts,
    };
  };
}

/**
 * The Kubernetes pod-to-pod networking lab, verified: an nginx server Pod, a busybox client Pod and
 * a ClusterIP Service in front of nginx, optionally isolated by NetworkPolicy with a stranger Pod
 * the policies must refuse, and the connectivity check run from inside the client. Its outputs are
 * the checks' verdict; a failed check fails the deployment, naming the layer that broke. It uses
 * the stack's kubernetes provider, and kubectl (on PATH, or KUBECTL) with the stack's
 * kubernetes:kubeconfig and kubernetes:context.
 */
export class PodToPodLab extends pulumi.ComponentResource {
  /** The namespace the lab runs in. */
  public readonly namespace: pulumi.Output<string>;
  /** The nginx pod's IP. */
  public readonly nginxPodIp: pulumi.Output<string>;
  /** The nginx pod's UID. */
  public readonly nginxPodUid: pulumi.Output<string>;
  /** The busybox client pod's IP. */
  public readonly busyboxPodIp: pulumi.Output<string>;
  /** The Service's ClusterIP. */
  public readonly serviceClusterIp: pulumi.Output<string>;
  /** The node nginx runs on. */
  public readonly nginxNode: pulumi.Output<string>;
  /** The node the client runs on. */
  public readonly busyboxNode: pulumi.Output<string>;
  /** The isolation's NetworkPolicy names (empty without isolation). */
  public readonly networkPolicies: pulumi.Output<string[]>;
  /** Every check's result, the counts and, on failure, the diagnosis. */
  public readonly verification: pulumi.Output<LabVerification>;
  /** The verification as a plain-text report. */
  public readonly report: pulumi.Output<string>;

  constructor(name: string, args: PodToPodLabArgs, opts?: pulumi.ComponentResourceOptions) {
    // Every mistake is found before the lab registers anything, as with the stack's own config.
    const { walkthroughNames, config } = checkedArgs(name, args);
    const kube = loadKubeAccess();
    const names: LabObjectNames = walkthroughNames ? LAB_NAMES : prefixedLabNames(name);
    // One stack, one lab: names another stack's lab holds are refused before anything exists.
    const identity: LabIdentity = {
      project: pulumi.getProject(),
      stack: pulumi.getStack(),
      lab: name,
    };
    const live = claimLabNames({
      identity,
      namespace: config.namespace,
      createNamespace: config.createNamespace,
      objects: fixedNameObjects(names, config, walkthroughNames),
    });
    super(
      TYPE,
      name,
      {},
      {
        ...opts,
        transformations: [...(opts?.transformations ?? []), withIdentity(identity)],
      },
    );

    // The walkthrough's lab keeps the names (and so the URNs) it had as a program of its own: its
    // children are the ones the program made at the stack's root, aliased from there.
    const instance = walkthroughNames ? undefined : name;
    // The children's Pulumi names: the program's own, or prefixed with this lab's name (its
    // namespace component takes the name itself: `<name>`, whose Namespace is `<name>-namespace`).
    const child = (part: string) =>
      walkthroughNames ? part : part === "lab" ? name : `${name}-${part}`;
    const childOptions: pulumi.ComponentResourceOptions = {
      parent: this,
      ...(walkthroughNames ? { aliases: [{ parent: pulumi.rootStackResource }] } : {}),
    };

    const labNamespace = new LabNamespace(
      child("lab"),
      { name: config.namespace, create: config.createNamespace },
      childOptions,
    );
    const contentOptions = { ...childOptions, ...labNamespace.contentOptions };

    const server = new NginxServer(
      child("nginx"),
      {
        namespace: labNamespace.name,
        image: config.nginx.image,
        imagePullPolicy: config.nginx.imagePullPolicy,
        port: config.nginx.port,
        resources: config.nginx.resources,
        readyTimeoutSeconds: config.podReadyTimeoutSeconds,
        podName: names.serverPod,
        imageCheckName: names.serverImageCheck,
        ...(instance !== undefined ? { instance } : {}),
      },
      contentOptions,
    );

    const client = new BusyboxClient(
      child("busybox"),
      {
        namespace: labNamespace.name,
        image: config.busybox.image,
        imagePullPolicy: config.busybox.imagePullPolicy,
        resources: config.busybox.resources,
        readyTimeoutSeconds: config.podReadyTimeoutSeconds,
        affinity: clientAffinity(config.placement, server.selector),
        podName: names.clientPod,
        imageCheckName: names.clientImageCheck,
        ...(instance !== undefined ? { instance } : {}),
      },
      contentOptions,
    );

    const service = new NginxService(
      child("nginx"),
      {
        namespace: labNamespace.name,
        selector: server.selector,
        port: config.servicePort,
        targetPort: server.portName,
        serviceName: names.service,
        ...(instance !== undefined ? { instance } : {}),
      },
      contentOptions,
    );

    // The lab isolated, and a stranger the isolation must refuse: the check proves it enforced.
    const isolation = config.networkPolicy
      ? {
          policy: new LabNetworkPolicy(
            child("isolation"),
            {
              namespace: labNamespace.name,
              ownsNamespace: config.createNamespace,
              serverSelector: server.selector,
              clientSelector: client.selector,
              names: { defaultDeny: names.defaultDenyPolicy, allowClient: names.allowClientPolicy },
              ...(instance !== undefined ? { instance } : {}),
            },
            contentOptions,
          ),
          stranger: new StrangerClient(
            child("stranger"),
            {
              namespace: labNamespace.name,
              image: config.busybox.image,
              imagePullPolicy: config.busybox.imagePullPolicy,
              resources: config.busybox.resources,
              readyTimeoutSeconds: config.podReadyTimeoutSeconds,
              podName: names.strangerPod,
              imageCheck: client.imageCheck,
              ...(instance !== undefined ? { instance } : {}),
            },
            contentOptions,
          ),
        }
      : undefined;

    // Every node, every path (coverage every-node): a mesh of DaemonSets the check runs alongside,
    // whose pods file their results as reports. What lets them is the lab's child, not the mesh's:
    // its admission policy is cluster-scoped, so it must be deleted itself, not left to go with
    // the namespace (the `deletedWith` of contentOptions, which a parent passes to its children).
    const reporting =
      config.coverage === "every-node"
        ? new MeshReporting(child("mesh-reporting"), { namespace: labNamespace.name }, childOptions)
        : undefined;
    const mesh =
      config.coverage === "every-node"
        ? new NodeMesh(
            child("mesh"),
            {
              namespace: labNamespace.name,
              nginx: config.nginx,
              busybox: config.busybox,
              servicePort: config.servicePort,
              readyTimeoutSeconds: config.podReadyTimeoutSeconds,
              isolation: config.networkPolicy,
              settings: config.mesh,
              clusterDomain: config.clusterDomain,
              timeoutSeconds: config.checks.timeoutSeconds,
              imageChecks: [server.imageCheck, client.imageCheck],
              reporting: reporting ? reporting.resources : [],
            },
            contentOptions,
          )
        : undefined;

    const check = new ConnectivityCheck(
      child("connectivity"),
      {
        namespace: labNamespace.name,
        server,
        client,
        service,
        names,
        config,
        kube,
        ...(isolation ? { isolation } : {}),
        ...(mesh ? { mesh } : {}),
        // The program's lab fails a deployment with its verdict exported; a consumer's, as before.
        failVia: walkthroughNames ? "program" : "runner",
        ...(walkthroughNames ? { previousVerdict: previousVerdictIn(live) } : {}),
      },
      childOptions,
    );

    this.namespace = labNamespace.name;
    this.nginxPodIp = server.podIp;
    this.nginxPodUid = server.uid;
    this.busyboxPodIp = client.podIp;
    this.serviceClusterIp = service.clusterIp;
    this.nginxNode = server.nodeName;
    this.busyboxNode = client.nodeName;
    this.networkPolicies = isolation
      ? pulumi.all([
          isolation.policy.defaultDenyName,
          isolation.policy.allowClientName,
          ...(mesh ? mesh.networkPolicies : []),
        ])
      : pulumi.output([]);
    this.verification = check.verification.apply(toLabVerification);
    this.report = check.report;
    this.registerOutputs({
      namespace: this.namespace,
      nginxPodIp: this.nginxPodIp,
      nginxPodUid: this.nginxPodUid,
      busyboxPodIp: this.busyboxPodIp,
      serviceClusterIp: this.serviceClusterIp,
      nginxNode: this.nginxNode,
      busyboxNode: this.busyboxNode,
      networkPolicies: this.networkPolicies,
      verification: this.verification,
      report: this.report,
    });
  }
}
