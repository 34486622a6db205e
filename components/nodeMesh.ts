import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MeshSettings, ResourceSettings } from "../config";
import { MeshPlan, ROTATION_RUN_KEY } from "../checks/contract/meshTypes";
import { labLabels, PART_OF } from "./labels";
import { MESH, meshPlanOf } from "./meshPlan";
import { MeshClients } from "./meshClients";
import { MeshEchoServers } from "./meshEchoServers";
import { MeshNodeProbes } from "./meshNodeProbes";

/** The port the echo servers serve the nodes on; the lab's nginx.port must differ. */
export const MESH_NODE_PORT = MESH.nodePort;

/**
 * What a reporter may use: kubectl's watch idles; a run's report is one kubectl create, some 30 MiB
 * for a moment.
 */
const REPORTER_RESOURCES: ResourceSettings = {
  requests: { cpu: "10m", memory: "32Mi" },
  limits: { cpu: "500m", memory: "128Mi" },
};

/** One workload's image, pull policy and resources. */
interface Workload {
  readonly image: pulumi.Input<string>;
  readonly imagePullPolicy: pulumi.Input<string>;
  readonly resources: pulumi.Input<ResourceSettings>;
}

/** Arguments of {@link NodeMesh}. */
export interface NodeMeshArgs {
  /** Namespace of the lab. */
  readonly namespace: pulumi.Input<string>;
  /** The echo servers: the lab's nginx, on its port. */
  readonly nginx: Workload & { readonly port: number };
  /** The clients and node probes: the lab's busybox. */
  readonly busybox: Workload;
  /** Port of the mesh's Service. */
  readonly servicePort: number;
  /** How long `pulumi up` waits for each DaemonSet's rollout. */
  readonly readyTimeoutSeconds: number;
  /**
   * The image checks of the images it runs (components/imageCheck.ts): it waits for them, so an
   * image that cannot serve fails there in seconds rather than at this workload's ready timeout.
   */
  readonly imageChecks?: readonly pulumi.Resource[];
  /** Whether the lab isolates itself with NetworkPolicy: then the echo servers let in the mesh alone. */
  readonly isolation: boolean;
  /** Parallelism, and whether to probe from the nodes' own network namespaces. */
  readonly settings: MeshSettings;
  /** Cluster DNS domain. */
  readonly clusterDomain: string;
  /** Bound on each probe, in seconds. */
  readonly timeoutSeconds: number;
  /**
   * What lets the clients and node probes file their reports (components/meshReporting.ts): made
   * by the lab beside the mesh, not in it, since its admission policy is cluster-scoped and must
   * not go with the namespace's `deletedWith` (which a parent passes to its children).
   */
  readonly reporting: pulumi.Resource[];
}

/**
 * Every node, every path (`pod-to-pod:coverage: every-node`): an echo server, a client and
 * (with `mesh.nodeToPod`) a node probe on every schedulable node, as DaemonSets, so a node that
 * joins is covered without a change to the program; the Service `mesh-echo` in front of the echo
 * servers; and, with isolation, the NetworkPolicy `mesh-echo-allow` (the lab's default deny covers
 * the rest); the ConfigMap `mesh-rotation`, the run counter of a sampled coverage. The
 * connectivity check runs the mesh from its `plan`.
 */
export class NodeMesh extends pulumi.ComponentResource {
  /** What the check runner needs to find and probe the mesh. */
  public readonly plan: pulumi.Output<MeshPlan>;
  /** What makes the checks run again: a DaemonSet or the Service replaced, a new mesh script. */
  public readonly triggers: pulumi.Output<string>[];
  /** What the checks wait for. */
  public readonly resources: pulumi.Resource[];
  /** The mesh's NetworkPolicy names (empty without isolation). */
  public readonly networkPolicies: pulumi.Output<string>[];

  constructor(name: string, args: NodeMeshArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pod-to-pod:lab:NodeMesh", name, {}, opts);
    const child = { parent: this };
    // Every mesh pod files its results as reports (components/meshReporting.ts).
    const reporter = {
      image: args.settings.reporterImage,
      imagePullPolicy: args.busybox.imagePullPolicy,
      resources: REPORTER_RESOURCES,
    };
    const echo = new MeshEchoServers(
      `${name}-echo`,
      {
        namespace: args.namespace,
        ...args.nginx,
        nodePort: MESH_NODE_PORT,
        readyTimeoutSeconds: args.readyTimeoutSeconds,
        ...(args.imageChecks ? { imageChecks: args.imageChecks } : {}),
        reporter,
        reporting: args.reporting,
      },
      child,
    );
    const busybox = {
      namespace: args.namespace,
      ...args.busybox,
      readyTimeoutSeconds: args.readyTimeoutSeconds,
      ...(args.imageChecks ? { imageChecks: args.imageChecks } : {}),
      reporter,
      reporting: args.reporting,
    };
    const clients = new MeshClients(`${name}-clients`, busybox, child);
    const probes = args.settings.nodeToPod
      ? new MeshNodeProbes(`${name}-node-probes`, busybox, child)
      : undefined;
    const service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: {
          name: MESH.serviceName,
          namespace: args.namespace,
          labels: {
            "app.kubernetes.io/name": MESH.serviceName,
            "app.kubernetes.io/part-of": PART_OF,
            "app.kubernetes.io/managed-by": "pulumi",
          },
          // As nginx-service: the checks wait (bounded) for it to answer, no fixed provider timer.
          annotations: { "pulumi.com/skipAwait": "true" },
        },
        spec: {
          type: "ClusterIP",
          selector: echo.selector,
          ports: [
            {
              name: "http",
              protocol: "TCP",
              port: args.servicePort,
              targetPort: MeshEchoServers.portName,
            },
          ],
        },
      },
      { parent: this, deleteBeforeReplace: true },
    );
    // The clients in on every port and protocol (HTTP and ping); the nodes in on the node port
    // only. NetworkPolicy cannot name a node, and a node's traffic to a pod on another node leaves
    // through flannel.1 with an address of that node's pod CIDR, so no ipBlock short of the
    // cluster's pod network would name the nodes: the node port is what is narrowed instead.
    const policies = args.isolation
      ? [
          new k8s.networking.v1.NetworkPolicy(
            `${name}-echo-allow`,
            {
              metadata: {
                name: "mesh-echo-allow",
                namespace: args.namespace,
                labels: {
                  "app.kubernetes.io/part-of": PART_OF,
                  "app.kubernetes.io/managed-by": "pulumi",
                },
              },
              spec: {
                podSelector: { matchLabels: echo.selector },
                policyTypes: ["Ingress"],
                ingress: [
                  { from: [{ podSelector: { matchLabels: clients.selector } }] },
                  { ports: [{ protocol: "TCP", port: MESH_NODE_PORT }] },
                ],
              },
            },
            { parent: this, deleteBeforeReplace: true },
          ),
        ]
      : [];
    // The lab's run counter: a sampled run (more nodes than mesh.allPairsUpTo) takes its number
    // here, and the rotation of the pairs it probes is keyed by it. The runner moves it on, so
    // its data is the cluster's, not the program's: no diff, and destroy takes it with the lab.
    const rotation = new k8s.core.v1.ConfigMap(
      `${name}-rotation`,
      {
        metadata: {
          name: MESH.rotationConfigMap,
          namespace: args.namespace,
          labels: { "app.kubernetes.io/name": MESH.rotationConfigMap, ...labLabels() },
        },
        data: { [ROTATION_RUN_KEY]: "0" },
      },
      { parent: this, ignoreChanges: ["data"] },
    );
    this.networkPolicies = policies.map((p) => p.metadata.name);
    // The plan from the same constants the DaemonSets' labels come from (npm run verify uses it
    // too); known once the namespace and the Service exist.
    this.plan = pulumi
      .all([pulumi.output(args.namespace), service.metadata.name])
      .apply(([namespace]) =>
        meshPlanOf({
          namespace,
          servicePort: args.servicePort,
          echoPort: args.nginx.port,
          clusterDomain: args.clusterDomain,
          timeoutSeconds: args.timeoutSeconds,
          settings: args.settings,
        }),
      );
    this.triggers = [echo.uid, clients.uid, ...(probes ? [probes.uid] : []), service.metadata.uid];
    this.resources = [
      echo,
      clients,
      ...(probes ? [probes] : []),
      service,
      rotation,
      ...args.reporting,
      ...policies,
    ];
    this.registerOutputs({ plan: this.plan, networkPolicies: this.networkPolicies });
  }
}
