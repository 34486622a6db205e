/**
 * Where the lab's nginx says which pod it is: a path of the lab's own, served from a file the
 * kubelet writes from the pod's own metadata (the Downward API), so the answer is the UID of the pod
 * that actually answered. UIDs are random per pod object: a pod that took over the nginx pod's IP,
 * or another nginx behind the Service, answers with another UID, or none.
 */
export const IDENTITY_PATH = "/pod-to-pod/identity";

/**
 * A path of the lab's own that serves a large body (nginx's own binary, which every nginx image
 * has): far more than one packet, so it crosses the path at the full MTU, where a black hole bites.
 */
export const LARGE_PATH = "/pod-to-pod/large";
/** How much of it the path check reads: 64 KiB, some 45 full packets at the pods' 1450. */
export const LARGE_BYTES = 65536;

/** A Kubernetes object UID, as the Downward API writes metadata.uid. */
const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The UID in an identity answer, or undefined when the answer is not one. */
export function parseIdentity(body: string): string | undefined {
  const trimmed = body.trim();
  return UID.test(trimmed) ? trimmed : undefined;
}
