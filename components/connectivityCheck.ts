import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { CheckSettings, KubeAccess } from "../config";
import { toEnvironment } from "../checks/contract/environment";
import { labPlan, PlanConfig } from "../checks/plan/labPlan";
import { renderReport } from "../checks/report/report";
import { Verification } from "../checks/contract/types";
import { parseVerification } from "../checks/contract/verification";
import { runnerCommand, runnerVersion } from "../checks/runner";
import { BusyboxClient } from "./busyboxClient";
import { LabNetworkPolicy } from "./labNetworkPolicy";
import { StrangerClient } from "./strangerClient";
import { failOnFailedVerdict, keepVerdict, PreviousVerdict, rerunTrigger } from "./verdictGate";
import { NginxServer } from "./nginxServer";
import { NginxService } from "./nginxService";
import { LabObjectNames } from "./names";

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
  /** The lab's object names. */
  readonly names: LabObjectNames;
  /** The lab's settings the plan is made of (plan/labPlan.ts), its checks' settings among them. */
  readonly config: PlanConfig & { readonly checks: CheckSettings };
  /** How kubectl reaches the cluster the kubernetes provider uses. */
  readonly kube: KubeAccess;
  /** With NetworkPolicy isolation: the policies, and the stranger they must refuse. */
  readonly isolation?: {
    readonly policy: LabNetworkPolicy;
    readonly stranger: StrangerClient;
  };
  /** With `coverage: every-node`: the mesh to run alongside the pair's checks (a NodeMesh). */
  readonly mesh?: {
    readonly triggers: readonly pulumi.Output<string>[];
    readonly resources: readonly pulumi.Resource[];
  };
  /**
   * How a failed verdict fails the deployment. `runner` (default): the check command fails, and the
   * stack keeps its previous outputs (a component in another program). `program`: the command
   * stores every verdict, the program fails after exporting it, and the checks run again on the
   * `up` after a failed one (the pod-to-pod program: its outputs are never an older pass).
   */
  readonly failVia?: "runner" | "program";
  /** With failVia program: the last verdict the lab kept in its namespace (none: first run). */
  readonly previousVerdict?: PreviousVerdict;
}

/**
 * The project root (where Pulumi.yaml is), which is where the command provider runs commands. The
 * engine tells the program; under mocks, and with older engines, the program runs from it. In the
 * package's provider, run for another program, no root is given and the process runs in that
 * program's project folder: the runner's command line then leads from the consumer's project to
 * this package's checks/ (runnerCommand is relative to where this file is, not to the project).
 */
function projectRoot(): string {
  const root = pulumi.runtime.getRootDirectory();
  return path.isAbsolute(root) ? root : process.cwd();
}

/**
 * Runs the walkthrough's checks from inside the client once both pods are Ready and the Service has
 * endpoints, and exposes the results. The command runs again only when a trigger changes: a
 * replaced pod or Service (new UID), new check code (its digest) or a changed setting. Its inputs
 * hold nothing machine-specific, so every checkout previews the same.
 */
export class ConnectivityCheck extends pulumi.ComponentResource {
  /** Every check's result, counts and, on failure, the diagnosis. */
  public readonly verification: pulumi.Output<Verification>;
  /** The same as a plain-text report. */
  public readonly report: pulumi.Output<string>;

  constructor(name: string, args: ConnectivityCheckArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pod-to-pod:lab:ConnectivityCheck", name, {}, opts);
    const { server, client, service, kube, isolation, mesh } = args;
    const version = runnerVersion();
    // Failed by the program: the runner only reports, and a stored failed verdict runs again.
    const viaProgram = args.failVia === "program";
    const rerun = rerunTrigger(args.previousVerdict);

    const settings = args.config.checks;
    // The one plan builder (plan/labPlan.ts), as verify and the bench use it.
    const environment = pulumi
      .output({
        namespace: args.namespace,
        server: { uid: server.uid, ip: server.podIp, node: server.nodeName },
        client: { ip: client.podIp, node: client.nodeName },
        serviceClusterIp: service.clusterIp,
      })
      .apply((deployed) =>
        toEnvironment(labPlan({ ...deployed, names: args.names }, args.config), {
          ...(kube.context ? { kubeContext: kube.context } : {}),
          reportOnly: viaProgram || settings.reportOnly,
          kubeconfigOnStdin: kube.kubeconfig !== undefined,
          runnerVersion: version,
        }),
      );

    const run = new command.local.Command(
      `${name}-run`,
      {
        create: runnerCommand(projectRoot()),
        environment,
        // A secret input: the runner pipes it to kubectl; it is never written to disk.
        ...(kube.kubeconfig ? { stdin: kube.kubeconfig } : {}),
        // What the checks do, not how their source reads: a comment edit re-runs nothing.
        triggers: [
          server.uid,
          client.uid,
          service.uid,
          ...(isolation ? [isolation.stranger.uid] : []),
          version,
          ...(mesh ? mesh.triggers : []),
          ...(viaProgram ? [rerun] : []),
        ],
        // The verification is in the outputs and, on failure, in the error: no second copy.
        logging: "none",
      },
      {
        parent: this,
        dependsOn: [
          server,
          client,
          service,
          ...(isolation ? [isolation.stranger, isolation.policy] : []),
          ...(mesh ? mesh.resources : []),
        ],
      },
    );

    // The runner's output depends on every input, the secret kubeconfig on stdin too, so the
    // provider may mark it secret. It carries no byte of it (the runner prints only the verdict,
    // and a test checks that), and a verdict nobody can read is lost: exactly these two are
    // unsecreted.
    this.verification = pulumi.unsecret(run.stdout.apply(parseVerification));
    this.report = this.verification.apply(renderReport);
    if (viaProgram) {
      const kept = keepVerdict(`${name}-verdict`, args.namespace, this.verification, {
        parent: this,
      });
      // Failed once the verdict is kept, so that the next up knows to run the checks again.
      failOnFailedVerdict(
        pulumi.all([this.verification, kept.metadata]).apply(([v]) => v),
        this.report,
        this,
        settings.reportOnly,
      );
    }
    this.registerOutputs({ verification: this.verification, report: this.report });
  }
}
