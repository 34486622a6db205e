/**
 * The walkthrough's object names. They are fixed on purpose: the lab's users know them from the
 * walkthrough and type them into kubectl. `npm run verify` reads them from here too.
 */
export const LAB_NAMES = {
  serverPod: "nginx-server",
  clientPod: "busybox-client",
  clientContainer: "busybox",
  service: "nginx-service",
} as const;
