import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ResourceSettings } from "../config";
import { ACCESS_LOG_PLAN, REPORTS, SERVERS_PLAN } from "../checks/contract/reports";
import { labLabels } from "./labels";

/** The service account of the mesh's reporters (one per lab namespace). */
export const REPORTER_ACCOUNT = "mesh-reporter";

/**
 * The echo servers' access log in the folder they share with their reporter (nginx writes it beside
 * stdout: components/nginxConf.ts), the most of its end a report carries (a run's lines at a
 * thousand nodes are some 30 KiB per echo server), and the size past which the reporter empties it
 * once it has filed a report (it lives in the pod's memory; a run's lines lost to that fail that
 * run's witness, they never pass it).
 */
export const ACCESS_LOG_FILE = `${REPORTS.exchangeDir}/access.log`;
const ACCESS_LOG_REPORT_BYTES = 256 * 1024;
const ACCESS_LOG_KEEP_BYTES = 1024 * 1024;

/** Where the prober and its reporter meet: a small in-memory folder of the pod. */
const EXCHANGE_VOLUME = "exchange";
/** The reporter's token, CA and namespace, projected into the reporter alone. */
const TOKEN_VOLUME = "reporter-token";

/**
 * The named pipe by which a reporter wakes its prober: a line (the run) each time it drops a
 * script. The prober makes it and holds it open both ways, so its read waits until a line comes
 * (no process every tenth of a second while it idles, no tenth of a second before a script
 * starts) and never sees an end; it looks at the folder each second all the same, so a line the
 * pipe missed (a prober started again makes a new pipe) only delays a script.
 */
const WAKE_PIPE = "wake";

/**
 * What a probing pod of the mesh runs instead of idling: each script its reporter drops into the
 * shared folder (`<run>.sh`), run once with what it prints kept in `<run>.out`, written under
 * another name and renamed, so the reporter never reads half of it. busybox sh alone: this is the
 * lab's own busybox image.
 */
const PROBER_LOOP = [
  "trap 'exit 0' TERM INT",
  `cd ${REPORTS.exchangeDir} || exit 1`,
  `piped=no; rm -f ${WAKE_PIPE}; mkfifo ${WAKE_PIPE} && exec 3<>${WAKE_PIPE} && piped=yes`,
  "while true; do",
  "  for s in *.sh; do",
  '    [ -f "$s" ] || continue',
  '    run="${s%.sh}"',
  '    mv "$s" "$run.running" || continue',
  '    sh "$run.running" >"$run.part" 2>/dev/null',
  '    mv "$run.part" "$run.out"',
  '    rm -f "$run.running"',
  "  done",
  // A line, or a second gone; without the pipe (mkfifo failed), a second's sleep.
  '  if [ "$piped" = yes ]; then read -r -t 1 _ <&3; else sleep 1; fi',
  "done",
].join("\n");

/**
 * The reporter: watches its own node's plans and the servers' (with the official kubectl image:
 * bash, jq, kubectl, which checks the API server's certificate, where busybox wget checks none),
 * hands its pod's script of a run to the prober once (or, asked for its server's access log, reads
 * it itself), waits for what it printed, and files it as the pod's report: a ConfigMap
 * `p2p-report.<run>.<pod>` labelled with the pod's UID and owned as its plan is, the only thing
 * the admission policy lets it create. A run it has handed on is marked in the folder, so a watch that starts again (the API
 * server ends watches now and then) does not run a plan twice. A report the API server refuses (too
 * large, forbidden) is filed again as the refusal, so the runner can say what happened.
 */
const REPORTER_SCRIPT = [
  "set -u",
  `cd ${REPORTS.exchangeDir} || exit 1`,
  "report() {",
  '  local run="$1" name waited=0',
  `  name="${REPORTS.reportPrefix}.$run.$POD_NAME"`,
  '  until [ -f "$run.out" ]; do',
  "    sleep 0.1; waited=$((waited + 1))",
  '    [ "$waited" -lt 6000 ] && continue',
  '    echo "its prober printed nothing in 600 s" >"$run.err"',
  '    file_report "$run" "$name" error "$run.err"; rm -f "$run.err"; return',
  "  done",
  '  file_report "$run" "$name" output "$run.out" 2>"$run.err" || file_report "$run" "$name" error "$run.err"',
  '  rm -f "$run.out" "$run.err" "$run.owners"',
  "}",
  "access_log() {",
  `  local log=${ACCESS_LOG_FILE} size`,
  '  [ -f "$log" ] || return 0',
  '  size="$(stat -c %s "$log")"',
  `  jq -R -r --argjson since "$1" 'select((split(" ")[0] | tonumber? // 0) >= $since) | .[(index(" ") + 1):]' "$log" >"$run.lines"`,
  `  if [ "$(stat -c %s "$run.lines")" -gt ${ACCESS_LOG_REPORT_BYTES} ]; then tail -c ${ACCESS_LOG_REPORT_BYTES} "$run.lines" | tail -n +2; else cat "$run.lines"; fi`,
  '  rm -f "$run.lines"',
  `  if [ "$size" -gt ${ACCESS_LOG_KEEP_BYTES} ]; then : >"$log"; fi`,
  "}",
  // A report is owned as its plan is (by the run's ConfigMap): deleting that takes it too.
  // The ConfigMap made by jq, one kubectl run per report, a raw POST: no discovery and no decoding
  // of the object on kubectl's side, about half the CPU of `kubectl create -f` (0.08 s against
  // 0.14 s here), which every pod of every node spends each run on its node's CPUs.
  "file_report() {",
  `  jq -n -c --arg name "$2" --arg key "$3" --rawfile value "$4" --arg run "$1" --arg uid "$POD_UID" --slurpfile owners "$1.owners" '{apiVersion: "v1", kind: "ConfigMap", metadata: {name: $name, labels: {"${REPORTS.runLabel}": $run, "${REPORTS.podUidLabel}": $uid}, ownerReferences: $owners[0]}, data: {($key): $value}}' |`,
  '    kubectl create --raw "/api/v1/namespaces/$POD_NAMESPACE/configmaps" -f - >/dev/null',
  "}",
  // The prober's pipe, held open both ways (so a write never waits for a reader), opened again if
  // the prober made a new one.
  "wake_prober() {",
  `  [ -p ${WAKE_PIPE} ] || return 0`,
  `  [ -e /dev/fd/4 ] && [ ${WAKE_PIPE} -ef /dev/fd/4 ] || exec 4<>${WAKE_PIPE}`,
  // In the background: a pipe whose 64 KiB no prober has read for thousands of runs never holds
  // up the watch.
  "  { printf '%s\\n' \"$run\" >&4; } 2>/dev/null &",
  "}",
  // Its own node's plans and the servers' alone (contract/reports.ts's planFor).
  `plan_for="$(printf %s "$NODE_NAME" | sha256sum | cut -c1-40)"`,
  "while true; do",
  // Each plan of its pod as two lines, the run and the plan's owners (JSON on one line), then its
  // entry as a JSON string: one jq decodes it, where three read the run, owners and entry.
  `  kubectl get configmaps -l "${REPORTS.planForLabel} in ($plan_for,${SERVERS_PLAN})" --watch -o json |`,
  `    jq --unbuffered -r --arg pod "$POD_NAME" 'select(.data[$pod] != null) | "\\(.metadata.labels["${REPORTS.runLabel}"] // "")\\t\\(.metadata.ownerReferences // [] | tojson)", (.data[$pod] | tojson)' |`,
  "    while IFS=$'\\t' read -r run owners && IFS= read -r entry; do",
  '      [[ "$run" =~ ^[0-9a-f]{16}$ ]] || continue',
  '      [ -e "$run.taken" ] && continue',
  '      : >"$run.taken"',
  '      printf \'%s\\n\' "$owners" >"$run.owners"',
  '      jq -r . <<<"$entry" >"$run.tmp" || continue',
  '      read -r ask since <"$run.tmp"',
  `      if [ "$ask" = ${ACCESS_LOG_PLAN} ] && [[ "$since" =~ ^[0-9]+$ ]]; then`,
  '        access_log "$since" >"$run.tmp" && mv "$run.tmp" "$run.out"',
  "      else",
  '        mv "$run.tmp" "$run.sh"',
  "        wake_prober",
  "      fi",
  '      report "$run" &',
  "    done",
  "  sleep 1",
  "done",
].join("\n");

const LOCKED_DOWN = {
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 65534,
  runAsGroup: 65534,
  capabilities: { drop: ["ALL"] },
};

/** The reporter's image, pull policy and resources (the lab's kubectl settings). */
export interface ReporterImage {
  readonly image: pulumi.Input<string>;
  readonly imagePullPolicy: pulumi.Input<string>;
  readonly resources: pulumi.Input<ResourceSettings>;
}

/**
 * A probing pod's spec made a reporting one: its prober (the pod's one busybox container) runs
 * what its reporter hands it instead of idling, beside the reporter sidecar, which alone holds the
 * service account's token (projected into it; the prober gets none).
 */
export function withReporter(
  spec: k8s.types.input.core.v1.PodSpec,
  reporter: ReporterImage,
  /**
   * What the pod's first container is: a busybox prober that runs the scripts (the clients, the
   * node probes), or a server whose access log the reporter files (the echo servers), as `user`,
   * the server's own, so that it may empty the log it reads.
   */
  first: { readonly prober: true } | { readonly server: true; readonly user: number },
): k8s.types.input.core.v1.PodSpec {
  const exchange = { name: EXCHANGE_VOLUME, mountPath: REPORTS.exchangeDir };
  const prober = (spec.containers as k8s.types.input.core.v1.Container[])[0];
  const env = (name: string, fieldPath: string) => ({
    name,
    valueFrom: { fieldRef: { fieldPath } },
  });
  return {
    ...spec,
    serviceAccountName: REPORTER_ACCOUNT,
    automountServiceAccountToken: false,
    containers: [
      {
        ...prober,
        ...("prober" in first ? { command: ["sh", "-c", PROBER_LOOP] } : {}),
        volumeMounts: [
          ...((prober.volumeMounts as k8s.types.input.core.v1.VolumeMount[] | undefined) ?? []),
          exchange,
        ],
      },
      {
        name: REPORTS.reporterContainer,
        image: reporter.image,
        imagePullPolicy: reporter.imagePullPolicy,
        command: ["bash", "-c", REPORTER_SCRIPT],
        env: [
          env("POD_NAME", "metadata.name"),
          env("POD_UID", "metadata.uid"),
          env("NODE_NAME", "spec.nodeName"),
          env("POD_NAMESPACE", "metadata.namespace"),
          // kubectl's discovery cache, in the shared memory folder: the root filesystem is read-only.
          { name: "KUBECACHEDIR", value: `${REPORTS.exchangeDir}/.kube-cache` },
        ],
        resources: reporter.resources,
        securityContext:
          "server" in first
            ? { ...LOCKED_DOWN, runAsUser: first.user, runAsGroup: first.user }
            : LOCKED_DOWN,
        volumeMounts: [
          exchange,
          {
            name: TOKEN_VOLUME,
            mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
            readOnly: true,
          },
        ],
      },
    ],
    volumes: [
      ...((spec.volumes as k8s.types.input.core.v1.Volume[] | undefined) ?? []),
      { name: EXCHANGE_VOLUME, emptyDir: { medium: "Memory", sizeLimit: "32Mi" } },
      {
        name: TOKEN_VOLUME,
        projected: {
          sources: [
            { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
            { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
            {
              downwardAPI: {
                items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }],
              },
            },
          ],
        },
      },
    ],
  };
}

/** Arguments of {@link MeshReporting}. */
export interface MeshReportingArgs {
  /** Namespace of the lab: one lab per namespace, so the names below are the lab's. */
  readonly namespace: pulumi.Input<string>;
}

/**
 * What lets the mesh's pods report and nothing more: the service account `mesh-reporter`, a Role
 * that may read and watch the namespace's ConfigMaps (the plans) and create them (the reports), and
 * a ValidatingAdmissionPolicy, named after the namespace, holding every ConfigMap that account
 * creates to be its own pod's report: named `p2p-report.<run>.<the pod's name>` and labelled with
 * the pod's UID, both as the token's pod claims say, no plan label. So no pod can file another
 * pod's report, nor a plan. The account may not update or delete anything.
 */
export class MeshReporting extends pulumi.ComponentResource {
  /** What the reporters need before they start. */
  public readonly resources: pulumi.Resource[];

  constructor(name: string, args: MeshReportingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pod-to-pod:lab:MeshReporting", name, {}, opts);
    const child = { parent: this };
    const namespace = pulumi.output(args.namespace);
    const labels = labLabels();
    const account = new k8s.core.v1.ServiceAccount(
      `${name}-account`,
      {
        metadata: { name: REPORTER_ACCOUNT, namespace: args.namespace, labels },
        automountServiceAccountToken: false,
      },
      child,
    );
    const role = new k8s.rbac.v1.Role(
      `${name}-role`,
      {
        metadata: { name: REPORTER_ACCOUNT, namespace: args.namespace, labels },
        rules: [
          { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch", "create"] },
        ],
      },
      child,
    );
    const binding = new k8s.rbac.v1.RoleBinding(
      `${name}-role-binding`,
      {
        metadata: { name: REPORTER_ACCOUNT, namespace: args.namespace, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
        subjects: [{ kind: "ServiceAccount", name: REPORTER_ACCOUNT, namespace: args.namespace }],
      },
      child,
    );
    const policyName = namespace.apply((ns) => `pod-to-pod-reports.${ns}`);
    const claim = (key: string) =>
      `request.userInfo.extra['authentication.kubernetes.io/${key}'][0]`;
    const label = (key: string) => `object.metadata.labels[?'${key}'].orValue('')`;
    const policy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
      `${name}-policy`,
      {
        metadata: { name: policyName, labels },
        spec: {
          failurePolicy: "Fail",
          matchConstraints: {
            resourceRules: [
              {
                apiGroups: [""],
                apiVersions: ["v1"],
                operations: ["CREATE", "UPDATE"],
                resources: ["configmaps"],
              },
            ],
          },
          matchConditions: [
            {
              name: "the-lab-reporter",
              expression: namespace.apply(
                (ns) =>
                  `request.userInfo.username == 'system:serviceaccount:${ns}:${REPORTER_ACCOUNT}'`,
              ),
            },
          ],
          validations: [
            {
              expression: [
                "'authentication.kubernetes.io/pod-name' in request.userInfo.extra",
                "'authentication.kubernetes.io/pod-uid' in request.userInfo.extra",
                `!has(object.metadata.labels) || !('${REPORTS.planLabel}' in object.metadata.labels)`,
                `${label(REPORTS.podUidLabel)} == ${claim("pod-uid")}`,
                `object.metadata.name == '${REPORTS.reportPrefix}.' + ${label(REPORTS.runLabel)} + '.' + ${claim("pod-name")}`,
              ].join(" && "),
              message:
                "the mesh's reporter may create only its own pod's report (p2p-report.<run>.<its pod>, labelled with its pod's UID)",
            },
          ],
        },
      },
      child,
    );
    const policyBinding = new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
      `${name}-policy-binding`,
      {
        metadata: { name: policyName, labels },
        spec: {
          policyName: policy.metadata.name,
          validationActions: ["Deny"],
          matchResources: {
            namespaceSelector: {
              matchLabels: { "kubernetes.io/metadata.name": args.namespace },
            },
          },
        },
      },
      child,
    );
    this.resources = [account, role, binding, policy, policyBinding];
    this.registerOutputs({});
  }
}
