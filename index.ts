import * as pulumi from "@pulumi/pulumi";
import { assertKubectlAvailable } from "./checks/kubectl";
import { loadKubeAccess, loadLabConfig } from "./config";
import {
  BusyboxClient,
  clientAffinity,
  ConnectivityCheck,
  LabNamespace,
  LabNetworkPolicy,
  NginxServer,
  NodeMesh,
  NginxService,
  StrangerClient,
} from "./components";

const config = loadLabConfig();
const kube = loadKubeAccess();
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

const labNamespace = new LabNamespace("lab", {
  name: config.namespace,
  create: config.createNamespace,
});

const server = new NginxServer(
  "nginx",
  {
    namespace: labNamespace.name,
    image: config.nginx.image,
    imagePullPolicy: config.nginx.imagePullPolicy,
    port: config.nginx.port,
    resources: config.nginx.resources,
    readyTimeoutSeconds: config.podReadyTimeoutSeconds,
  },
  labNamespace.contentOptions,
);

const client = new BusyboxClient(
  "busybox",
  {
    namespace: labNamespace.name,
    image: config.busybox.image,
    imagePullPolicy: config.busybox.imagePullPolicy,
    resources: config.busybox.resources,
    readyTimeoutSeconds: config.podReadyTimeoutSeconds,
    affinity: clientAffinity(config.placement, server.selector),
  },
  labNamespace.contentOptions,
);

const service = new NginxService(
  "nginx",
  {
    namespace: labNamespace.name,
    selector: server.selector,
    port: config.servicePort,
    targetPort: server.portName,
  },
  labNamespace.contentOptions,
);

// The lab isolated, and a stranger the isolation must refuse: the check proves it enforced.
const isolation = config.networkPolicy
  ? {
      policy: new LabNetworkPolicy(
        "isolation",
        {
          namespace: labNamespace.name,
          ownsNamespace: config.createNamespace,
          serverSelector: server.selector,
          clientSelector: client.selector,
        },
        labNamespace.contentOptions,
      ),
      stranger: new StrangerClient(
        "stranger",
        {
          namespace: labNamespace.name,
          image: config.busybox.image,
          imagePullPolicy: config.busybox.imagePullPolicy,
          resources: config.busybox.resources,
          readyTimeoutSeconds: config.podReadyTimeoutSeconds,
        },
        labNamespace.contentOptions,
      ),
    }
  : undefined;

// Every node, every path (coverage every-node): a mesh of DaemonSets the check runs alongside.
const mesh =
  config.coverage === "every-node"
    ? new NodeMesh(
        "mesh",
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
        },
        labNamespace.contentOptions,
      )
    : undefined;

const check = new ConnectivityCheck("connectivity", {
  namespace: labNamespace.name,
  server,
  client,
  service,
  serverPort: config.nginx.port,
  clusterDomain: config.clusterDomain,
  settings: config.checks,
  kube,
  ...(isolation ? { isolation } : {}),
  ...(mesh ? { mesh } : {}),
});

export const namespace = labNamespace.name;
export const nginxPodIp = server.podIp;
export const nginxPodUid = server.uid;
export const busyboxPodIp = client.podIp;
export const serviceClusterIp = service.clusterIp;
export const nginxNode = server.nodeName;
export const busyboxNode = client.nodeName;
export const networkPolicies = isolation
  ? [
      isolation.policy.defaultDenyName,
      isolation.policy.allowClientName,
      ...(mesh ? mesh.networkPolicies : []),
    ]
  : [];
export const verification = check.verification;
export const report = check.report;
