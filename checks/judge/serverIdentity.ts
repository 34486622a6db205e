import { describeEndpoint, ServiceEndpoint, shortUid } from "./endpoints";
import { IDENTITY_PATH, parseIdentity } from "../contract/identity";
import { bodyStart, fetched, WgetOutcome } from "../probe/parsers";
import { Section } from "../probe/script";

/** Who must answer a probe: the nginx pod at its own IP, or the nginx pod as an endpoint of the Service. */
export type ExpectedServer =
  | { readonly kind: "pod"; readonly name: string; readonly uid: string }
  | {
      readonly kind: "service";
      readonly service: string;
      readonly endpoints: readonly ServiceEndpoint[] | Error;
      /** The lab's server pod, which the Service exists to reach. */
      readonly server: { readonly name: string; readonly uid: string };
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
    return {
      ...response,
      failure: response.failure === "http-error" ? "wrong-server" : response.failure,
      detail: `${response.detail}: not the lab's nginx, which answers there with its pod UID`,
    };
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
  if (endpoint && uid !== expected.server.uid) {
    return {
      ok: false,
      failure: "wrong-server",
      answeredUid: uid,
      ...(endpoint.podName ? { answeredBy: endpoint.podName } : {}),
      detail: `answered by ${describeEndpoint(endpoint)}, an endpoint of ${expected.service} but not the lab's ${expected.server.name} (uid ${shortUid(expected.server.uid)}): the Service sends traffic to other pods`,
    };
  }
  // Every ready endpoint counts, not only the one that answered this time: a second pod behind the
  // Service gets a share of its traffic whichever pod the probe happened to reach.
  const others = expected.endpoints.filter(
    (candidate) => candidate.ready && candidate.podUid !== expected.server.uid,
  );
  if (others.length > 0) {
    return {
      ok: false,
      failure: "wrong-server",
      answeredUid: uid,
      detail: `${expected.service} also sends traffic to ${others.map(describeEndpoint).join("; ")}, not only to the lab's ${expected.server.name}: requests may reach another pod`,
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
