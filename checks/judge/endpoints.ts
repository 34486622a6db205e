/** One endpoint of a Service, as its EndpointSlices list it. */
export interface ServiceEndpoint {
  /** The endpoint's address (the pod IP). */
  readonly ip: string;
  /** The pod behind it, where the slice names one (targetRef). */
  readonly podName?: string;
  /** That pod's UID. */
  readonly podUid?: string;
  /** Whether the endpoint is ready to serve. */
  readonly ready: boolean;
}

/** An EndpointSlice, as far as its endpoints go. */
export interface EndpointSliceJson {
  endpoints?: Array<{
    addresses?: string[];
    conditions?: { ready?: boolean };
    targetRef?: { kind?: string; name?: string; uid?: string };
  }>;
}

/**
 * Reads `kubectl get endpointslices -l kubernetes.io/service-name=<svc> -o json`: every address of
 * every slice, with the pod it belongs to. An endpoint whose `ready` is unset counts as ready, as
 * Kubernetes reads it.
 */
export function parseEndpointSlices(json: string): ServiceEndpoint[] {
  return endpointsOf((JSON.parse(json) as { items?: EndpointSliceJson[] }).items ?? []);
}

/** Every address of every slice, with the pod it belongs to. */
export function endpointsOf(slices: readonly EndpointSliceJson[]): ServiceEndpoint[] {
  return slices.flatMap((slice) =>
    (slice.endpoints ?? []).flatMap((endpoint) =>
      (endpoint.addresses ?? []).map((ip) => ({
        ip,
        ready: endpoint.conditions?.ready ?? true,
        ...(endpoint.targetRef?.kind === "Pod" && endpoint.targetRef.name
          ? { podName: endpoint.targetRef.name }
          : {}),
        ...(endpoint.targetRef?.kind === "Pod" && endpoint.targetRef.uid
          ? { podUid: endpoint.targetRef.uid }
          : {}),
      })),
    ),
  );
}

/** "nginx-server (uid 1b2c3d4e) at 10.42.0.7", for reports. */
export function describeEndpoint(endpoint: ServiceEndpoint): string {
  const pod = endpoint.podName ?? "no pod";
  const uid = endpoint.podUid ? ` (uid ${shortUid(endpoint.podUid)})` : "";
  return `${pod}${uid} at ${endpoint.ip}${endpoint.ready ? "" : ", not ready"}`;
}

/** The first block of a UID: enough for a person to tell pods apart in a report line. */
export function shortUid(uid: string): string {
  return uid.split("-")[0];
}
