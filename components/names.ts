/**
 * The walkthrough's object names. They are fixed on purpose: the lab's users know them from the
 * walkthrough and type them into kubectl. `npm run verify` reads them from here too.
 */
export const LAB_NAMES = {
  serverPod: "nginx-server",
  clientPod: "busybox-client",
  clientContainer: "busybox",
  service: "nginx-service",
  strangerPod: "stranger-client",
  strangerContainer: "busybox",
  defaultDenyPolicy: "pod-to-pod-default-deny",
  allowClientPolicy: "nginx-allow-client",
} as const;
