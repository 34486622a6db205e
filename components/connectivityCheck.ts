import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { CheckSettings, KubeAccess } from "../config";
import { toEnvironment } from "../checks/environment";
import { renderReport } from "../checks/report";
import { Verification } from "../checks/types";
import { parseVerification } from "../checks/verification";
import { checksVersion } from "../checks/version";
import { BusyboxClient } from "./busyboxClient";
import { NginxServer } from "./nginxServer";
import { NginxService } from "./nginxService";

/** Arguments of {@link ConnectivityCheck}. */
export interface ConnectivityCheckArgs {
  /** Namespace of the lab. */
  readonly namespace: pulumi.Input<string>;
  /** The nginx server to reach. */
  readonly server: NginxServer;
  /** The client the checks run in. */
  readonly client: BusyboxClient;
  /** The Service in front of the server. */
  readonly service: NginxService;
  /** Port nginx listens on in its pod. */
  readonly serverPort: number;
  /** Cluster DNS domain. */
  readonly clusterDomain: string;
  /** Ping count, timeouts and whether a failure fails the update. */
  readonly settings: CheckSettings;
  /** How kubectl reaches the cluster the kubernetes provider uses. */
  readonly kube: KubeAccess;
}

/** The project folder: the command runs the check runner from there. */
const PROJECT_DIR = path.resolve(__dirname, "..");

/**
 * Runs the walkthrough's checks from inside the client once both pods are Ready and the Service has
 * endpoints, and exposes the results. The command re-runs only when one of its inputs changes: a
 * replaced pod or Service (new UID or IP), changed check code (its digest) or a changed setting.
 */
export class ConnectivityCheck extends pulumi.ComponentResource {
  /** Every check's result, counts and, on failure, the diagnosis. */
  public readonly verification: pulumi.Output<Verification>;
  /** The same as a plain-text report. */
  public readonly report: pulumi.Output<string>;

  constructor(name: string, args: ConnectivityCheckArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pod-to-pod:lab:ConnectivityCheck", name, {}, opts);
    const { server, client, service, settings, kube } = args;

    const environment = pulumi
      .output({
        namespace: args.namespace,
        serverPod: server.podName,
        serverPodIp: server.podIp,
        serverNode: server.nodeName,
        serverUid: server.uid,
        clientPod: client.podName,
        clientContainer: client.containerName,
        clientPodIp: client.podIp,
        clientNode: client.nodeName,
        clientUid: client.uid,
        serviceName: service.name,
        serviceClusterIp: service.clusterIp,
        servicePort: service.port,
        serviceUid: service.uid,
      })
      .apply(({ serverUid, clientUid, serviceUid, ...live }) => ({
        ...toEnvironment(
          {
            ...live,
            serverPort: args.serverPort,
            clusterDomain: args.clusterDomain,
            pingCount: settings.pingCount,
            timeoutSeconds: settings.timeoutSeconds,
          },
          {
            ...(kube.context ? { kubeContext: kube.context } : {}),
            reportOnly: settings.reportOnly,
          },
        ),
        // Not read by the runner: they are here so that a replaced object, or new check code, is a
        // changed input, which is what makes the command run again.
        POD_TO_POD_SERVER_UID: serverUid,
        POD_TO_POD_CLIENT_UID: clientUid,
        POD_TO_POD_SERVICE_UID: serviceUid,
        POD_TO_POD_CHECKS_VERSION: checksVersion(),
        ...(kube.kubeconfigPath ? { KUBECONFIG: kube.kubeconfigPath } : {}),
      }));

    const run = new command.local.Command(
      `${name}-run`,
      {
        create: "node_modules/.bin/tsx checks/run.ts",
        dir: PROJECT_DIR,
        environment,
        // stdout is the JSON verification, parsed below; stderr carries the readable report.
        logging: "stderr",
      },
      { parent: this, dependsOn: [server, client, service] },
    );

    this.verification = run.stdout.apply(parseVerification);
    this.report = this.verification.apply(renderReport);
    this.registerOutputs({ verification: this.verification, report: this.report });
  }
}
