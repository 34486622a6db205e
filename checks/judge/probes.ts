import { ServiceEndpoint } from "../probe/cluster";
import { IDENTITY_PATH, LARGE_BYTES, parseIdentity } from "../contract/identity";
import {
  bodyStart,
  fetched,
  NetworkInterface,
  parseIpAddr,
  parseNslookup,
  parsePing,
  PingSummary,
  readResponse,
  WgetOutcome,
  wgetFailure,
} from "../probe/parsers";
import { Section } from "../probe/script";

/**
 * The one judge of a probe's section, by the probe's kind: an HTTP fetch and who served it, a
 * name lookup, a ping, the large body. Every scenario's evaluation (the pair's checks, the mesh's
 * paths) reads its sections through these, so a rule of judging (no redirect followed, the pod
 * behind the probed address, every ready endpoint of a Service) holds for every probe.
 */

/** " (passed on try 2)" or " (3 tries)": retries are evidence too. */
export function triesNote(section: Section | undefined, ok: boolean): string {
  if (!section || section.tries <= 1) {
    return "";
  }
  return ok ? ` (passed on try ${section.tries})` : ` (${section.tries} tries)`;
}

/** A pod that may answer a probe, by name and UID. */
export interface ServerPod {
  readonly name: string;
  readonly uid: string;
}

/** Who must answer a probe: a pod at its own IP, or the pods a Service exists to reach. */
export type ExpectedServer =
  | ({ readonly kind: "pod" } & ServerPod)
  | {
      readonly kind: "service";
      readonly service: string;
      readonly endpoints: readonly ServiceEndpoint[] | Error;
      /** The scenario's server pods, which the Service exists to reach: each of its endpoints must be one. */
      readonly servers: readonly ServerPod[];
    };

/** What the identity probe established. */
export interface IdentityOutcome extends WgetOutcome {
  /** The UID the server said it is, when it said one. */
  readonly answeredUid?: string;
  /** The pod that UID belongs to, when it is an expected one. */
  readonly answeredBy?: string;
}

/**
 * Checks the identity probe's answer against who must answer. The answer is only trusted to be the
 * UID of the pod that served it; whether that pod is the right one is decided here, from the
 * Kubernetes API's view (the stack's nginx pod, or the Service's EndpointSlices).
 */
export function checkIdentity(
  section: Section | undefined,
  target: string,
  expected: ExpectedServer,
): IdentityOutcome {
  const url = `${target}${IDENTITY_PATH}`;
  if (!section) {
    return {
      ok: false,
      failure: "other",
      detail: `the identity probe of ${url} produced no output`,
    };
  }
  const response = fetched(section.rc, section.output, url);
  if (!response.ok) {
    // An error status from the identity path: a server answers there, but not one of the lab's.
    return response.failure === "http-error"
      ? {
          ...response,
          failure: "wrong-server",
          detail: `${response.detail}: not the lab's nginx, which answers there with its pod UID`,
        }
      : response;
  }
  const uid = parseIdentity(response.body);
  if (!uid) {
    return {
      ok: false,
      failure: "wrong-server",
      detail: `${url} answered "${bodyStart(response.body)}", not a pod UID: not the lab's nginx`,
    };
  }
  if (expected.kind === "pod") {
    return uid === expected.uid
      ? {
          ok: true,
          detail: `answered by ${expected.name} (uid ${shortUid(uid)})`,
          answeredUid: uid,
          answeredBy: expected.name,
        }
      : {
          ok: false,
          failure: "wrong-server",
          answeredUid: uid,
          detail: `answered by pod uid ${uid}, not ${expected.name} (uid ${expected.uid}): another pod has its address`,
        };
  }
  if (expected.endpoints instanceof Error) {
    return {
      ok: false,
      failure: "other",
      answeredUid: uid,
      detail: `answered by pod uid ${uid}, but ${expected.service}'s endpoints could not be read to check it: ${expected.endpoints.message}`,
    };
  }
  const endpoint = expected.endpoints.find((candidate) => candidate.podUid === uid);
  const servers = expected.servers;
  const isServer = (podUid: string | undefined) => servers.some((s) => s.uid === podUid);
  const named = servers.map((s) => `${s.name} (uid ${shortUid(s.uid)})`).join(", ");
  if (endpoint && !isServer(uid)) {
    return {
      ok: false,
      failure: "wrong-server",
      answeredUid: uid,
      ...(endpoint.podName ? { answeredBy: endpoint.podName } : {}),
      detail: `answered by ${describeEndpoint(endpoint)}, an endpoint of ${expected.service} but not the lab's ${named}: the Service sends traffic to other pods`,
    };
  }
  // Every ready endpoint counts, not only the one that answered this time: a second pod behind the
  // Service gets a share of its traffic whichever pod the probe happened to reach.
  const others = expected.endpoints.filter(
    (candidate) => candidate.ready && !isServer(candidate.podUid),
  );
  if (others.length > 0) {
    return {
      ok: false,
      failure: "wrong-server",
      answeredUid: uid,
      detail: `${expected.service} also sends traffic to ${others.map(describeEndpoint).join("; ")}, not only to the lab's ${servers.map((s) => s.name).join(", ")}: requests may reach another pod`,
    };
  }
  if (endpoint) {
    return {
      ok: true,
      detail: `answered by ${describeEndpoint(endpoint)}, an endpoint of ${expected.service}`,
      answeredUid: uid,
      ...(endpoint.podName ? { answeredBy: endpoint.podName } : {}),
    };
  }
  const listed = expected.endpoints.map(describeEndpoint).join("; ") || "none";
  return {
    ok: false,
    failure: "wrong-server",
    answeredUid: uid,
    detail: `answered by pod uid ${uid}, which is not an endpoint of ${expected.service} (its endpoints: ${listed})`,
  };
}

/** Whether a ping run was answered in full (`count` replies, where the probe asked for a count). */
export function pingAnswered(summary: PingSummary | undefined, count?: number): boolean {
  return (
    summary !== undefined &&
    summary.transmitted > 0 &&
    summary.lossPercent === 0 &&
    summary.received === (count ?? summary.transmitted)
  );
}

/** What a ping probe established. */
export interface PingOutcome {
  readonly ok: boolean;
  readonly detail: string;
  readonly summary?: PingSummary;
}

/** A ping probe to `ip`: every packet answered (`count` of them, where the probe asked a count). */
export function judgePing(section: Section | undefined, ip: string, count?: number): PingOutcome {
  const output = section?.output ?? "";
  const summary = parsePing(output);
  if (!summary) {
    const firstLine = output.split("\n").find((line) => line.trim() !== "") ?? "no output";
    return {
      ok: false,
      detail:
        section?.tries === 0
          ? output.trim()
          : `ping to ${ip} printed no statistics: ${firstLine.trim()}`,
    };
  }
  const rtt = summary.rtt
    ? `, rtt min/avg/max ${summary.rtt.min}/${summary.rtt.avg}/${summary.rtt.max} ms`
    : "";
  return {
    ok: pingAnswered(summary, count),
    detail: `${summary.transmitted} transmitted, ${summary.received} received, ${summary.lossPercent}% loss to ${ip}${rtt}`,
    summary,
  };
}

/** What a name lookup established. */
export interface LookupOutcome {
  readonly ok: boolean;
  readonly detail: string;
  readonly server?: string;
  readonly addresses: readonly string[];
}

/** A name lookup of `name`, which must resolve to `address` (the Service's ClusterIP). */
export function judgeLookup(
  section: Section | undefined,
  name: string,
  address: string,
): LookupOutcome {
  const output = section?.output ?? "";
  const answer = parseNslookup(output);
  const ok = answer.addresses.includes(address);
  const detail = ok
    ? `${name} resolves to ${address} (server ${answer.server ?? "unknown"})`
    : answer.addresses.length > 0
      ? `${name} resolves to ${answer.addresses.join(", ")}, not the ClusterIP ${address}`
      : section?.rc === 124 || section?.rc === 143
        ? `no DNS answer for ${name} before the timeout`
        : `${name} did not resolve: ${answer.error ?? (output.trim() || "no output")}`;
  return {
    ok,
    detail,
    addresses: answer.addresses,
    ...(answer.server ? { server: answer.server } : {}),
  };
}

/**
 * The client's lookup of a Service's name (its `dns` section), which must resolve to the Service's
 * ClusterIP; where it did not, what the bounded wait for the Service (`service-ready`) saw.
 */
export function judgeServiceName(
  sections: ReadonlyMap<string, Section>,
  fqdn: string,
  clusterIp: string,
): LookupOutcome & { readonly ms: number; readonly tries: number } {
  const section = sections.get("dns");
  const ready = sections.get("service-ready");
  const answer = judgeLookup(section, fqdn, clusterIp);
  const waited =
    !answer.ok && ready && ready.rc !== 0
      ? `; waited ${(ready.ms / 1000).toFixed(1)} s for the Service first (${ready.output.trim()})`
      : "";
  return {
    ...answer,
    detail: section ? answer.detail + triesNote(section, answer.ok) + waited : "not probed",
    ms: section?.ms ?? 0,
    tries: section?.tries ?? 0,
  };
}

/** A client's own network, as its own jobs (plan/client.ts's ownJobs) saw it. */
export interface OwnNetwork {
  /** `ip addr` of its eth0 (`ip-addr`), as it ran. */
  readonly addr?: Section;
  readonly eth0?: NetworkInterface;
  /** `ip route` (`ip-route`), where the scenario asked for it. */
  readonly routes?: Section;
  /** Whether its node, its gateway, answered ping; unknown where that probe did not run. */
  readonly gatewayAnswers?: boolean;
}

/** Reads a client's own jobs: every scenario's client, one way. */
export function judgeOwnNetwork(sections: ReadonlyMap<string, Section>): OwnNetwork {
  const addr = sections.get("ip-addr");
  const eth0 = parseIpAddr(addr?.output ?? "").find((i) => i.name === "eth0");
  const routes = sections.get("ip-route");
  const gateway = sections.get("gateway-ping");
  return {
    ...(addr ? { addr } : {}),
    ...(eth0 ? { eth0 } : {}),
    ...(routes ? { routes } : {}),
    ...(gateway && gateway.rc >= 0 ? { gatewayAnswers: gateway.rc === 0 } : {}),
  };
}

/** What the large body's probe established. */
export interface LargeOutcome {
  /** All LARGE_BYTES arrived, from the target itself (no redirect). */
  readonly ok: boolean;
  /** What happened, after "the 65536-byte response from <url>". */
  readonly detail: string;
  /** The bytes counted, when the probe counted any. */
  readonly bytes?: number;
}

/**
 * The large body's probe (probe/commands.ts's httpLarge): the count on a line of its own, after
 * "stalled" where the transfer ran into its timeout; a redirect fails it, naming its Location.
 */
export function judgeLarge(section: Section | undefined): LargeOutcome {
  if (!section) {
    return { ok: false, detail: "was not tried" };
  }
  if (section.tries === 0) {
    return { ok: false, detail: section.output.trim() };
  }
  const count = section.output.split("\n").find((line) => /^\s*\d+\s*$/.test(line));
  const bytes = count === undefined ? undefined : Number(count.trim());
  const counted = bytes === undefined ? {} : { bytes };
  const response = readResponse(section.output);
  if (response.statuses.some((s) => s >= 300 && s < 400)) {
    return {
      ok: false,
      detail: `was a redirect to ${response.locations[0] ?? "no Location"}: redirects are not followed`,
      ...counted,
    };
  }
  if (bytes === LARGE_BYTES) {
    return { ok: true, detail: `came back in ${section.ms} ms`, bytes };
  }
  const stalled = section.rc === 124 || section.rc === 143 || /^stalled$/m.test(section.output);
  return {
    ok: false,
    detail: stalled
      ? `stalled until the timeout${bytes ? ` after ${bytes} bytes` : ""}${section.tries > 1 ? ` (${section.tries} tries)` : ""}`
      : `came back ${bytes === undefined ? `with nothing (${section.output.trim().split("\n")[0] || "no output"})` : `with ${bytes} bytes`}`,
    ...counted,
  };
}

/** What a probe that must be refused established. */
export interface RefusalOutcome {
  readonly ok: boolean;
  readonly detail: string;
  /** What the prober got: "through", "nothing" (not alive), "own-egress", "dropped", "refused", … */
  readonly got?: string;
}

/**
 * A request that must be refused: it fails (dropped or refused) within its bound, and the refusal
 * is the server side's doing. The same prober must be `alive` (it reached, in the same run,
 * something no policy refuses), no policy of its own may restrict its egress (`egressBy`, read
 * from the API; undefined where it could not be read), and a server must stand behind the path
 * (`unbacked` says why none does, from the API): a path that serves no one refuses all.
 */
export function judgeRefusal(
  section: Section | undefined,
  target: string,
  prober: string,
  alive: boolean,
  egressBy: readonly string[] | undefined,
  unbacked: string | undefined,
): RefusalOutcome {
  if (!section) {
    return { ok: false, detail: `the stranger's probe of ${target} printed nothing` };
  }
  // A status line is an answer, even where the bound then stopped the transfer (a slow body).
  if (section.rc === 0 || readResponse(section.output).statuses.length > 0) {
    return {
      ok: false,
      detail: `${prober} reached ${target}, which the policies refuse it: the NetworkPolicy is not enforced`,
      got: "through",
    };
  }
  if (!alive) {
    return {
      ok: false,
      detail: `${target} did not answer ${prober}, but the stranger does not reach the Kubernetes API either: its refusal proves nothing`,
      got: "nothing",
    };
  }
  if (egressBy === undefined || egressBy.length > 0) {
    return {
      ok: false,
      detail:
        egressBy === undefined
          ? `${target} did not answer ${prober}, but the stranger's own policies could not be read: the refusal may be its own egress`
          : `${target} did not answer ${prober}, but ${egressBy.join(", ")} restrict${egressBy.length === 1 ? "s" : ""} the stranger's own egress: the refusal proves nothing of the server's side`,
      got: "own-egress",
    };
  }
  const how = wgetFailure(section.rc, section.output, target);
  if (unbacked && (how.failure === "timeout" || how.failure === "refused")) {
    // A path with no server behind it (a Service without endpoints) refuses everyone: its
    // refusal says nothing of the policies.
    return {
      ok: false,
      detail: `${target} did not answer ${prober}, but ${unbacked}: the refusal proves nothing of the policies`,
      got: "no-server",
    };
  }
  const refused =
    how.failure === "timeout" ? "dropped" : how.failure === "refused" ? "refused" : how.failure;
  const ok = how.failure === "timeout" || how.failure === "refused";
  // The bound the probe derived and waited (probe/commands.ts's refusedGet prints it last).
  const bound = /^bound (\d+) ms$/m.exec(section.output)?.[1];
  const waited =
    how.failure === "timeout" && bound
      ? `no answer from ${target} within its bound of ${bound} ms`
      : how.detail;
  return {
    ok,
    detail: ok
      ? `denied as expected after ${section.ms} ms (${refused}: ${waited})`
      : `${target} failed for ${prober}, but not as a policy refuses: ${how.detail}`,
    got: String(refused),
  };
}

/** "nginx-server (uid 1b2c3d4e) at 10.42.0.7", for reports. */
function describeEndpoint(endpoint: ServiceEndpoint): string {
  const pod = endpoint.podName ?? "no pod";
  const uid = endpoint.podUid ? ` (uid ${shortUid(endpoint.podUid)})` : "";
  return `${pod}${uid} at ${endpoint.ip}${endpoint.ready ? "" : ", not ready"}`;
}

/** The first block of a UID: enough for a person to tell pods apart in a report line. */
function shortUid(uid: string): string {
  return uid.split("-")[0];
}
