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
  serverImageCheck: "nginx-image-check",
  clientImageCheck: "busybox-image-check",
} as const;

/** The names of one lab's Kubernetes objects. */
export type LabObjectNames = { readonly [K in keyof typeof LAB_NAMES]: string };

/**
 * The object names of a lab named after its component, as pulumi-eks and pulumi-awsx name what a
 * component makes: `<name>-nginx-server`, `<name>-busybox-client`, `<name>-nginx-service`,
 * `<name>-stranger-client`, `<name>-default-deny`, `<name>-nginx-allow-client` and the image checks'
 * Jobs `<name>-nginx-image-check` and `<name>-busybox-image-check`, so that labs
 * share a namespace. Containers keep their names: they are unique within their pod already.
 */
export function prefixedLabNames(name: string): LabObjectNames {
  return {
    serverPod: `${name}-${LAB_NAMES.serverPod}`,
    clientPod: `${name}-${LAB_NAMES.clientPod}`,
    clientContainer: LAB_NAMES.clientContainer,
    service: `${name}-${LAB_NAMES.service}`,
    strangerPod: `${name}-${LAB_NAMES.strangerPod}`,
    strangerContainer: LAB_NAMES.strangerContainer,
    defaultDenyPolicy: `${name}-default-deny`,
    allowClientPolicy: `${name}-${LAB_NAMES.allowClientPolicy}`,
    serverImageCheck: `${name}-${LAB_NAMES.serverImageCheck}`,
    clientImageCheck: `${name}-${LAB_NAMES.clientImageCheck}`,
  };
}

/** The longest object name a lab derives from its own: `<name>-busybox-image-check`. */
function longestDerived(name: string): string {
  return Object.values(prefixedLabNames(name)).reduce((a, b) => (b.length > a.length ? b : a));
}
const LONGEST_SUFFIX = longestDerived("").length;

/**
 * Why a component name cannot prefix the lab's object names, or undefined when it can. The Service's
 * name must be an RFC 1035 label (a letter first, at most 63 characters), which the others then are.
 */
export function labNameProblem(name: string): string | undefined {
  const max = 63 - LONGEST_SUFFIX;
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    return "expected a lowercase letter, then lowercase letters, digits or '-', ending alphanumeric: it prefixes the lab's object names, and the Service's name is an RFC 1035 label";
  }
  if (name.length > max) {
    return `expected at most ${max} characters: the longest name derived from it, ${longestDerived(name)}, must fit in 63`;
  }
  return undefined;
}
