/** The most characters of one label of a DNS name (RFC 1123). */
export const DNS_LABEL_MAX = 63;
/** The most characters of a whole DNS name, its dots included (RFC 1123). */
export const DNS_NAME_MAX = 253;

/**
 * Why `name` is not a DNS name as Kubernetes takes one (RFC 1123: lowercase labels of 1 to 63
 * characters of a-z, 0-9 and '-', not starting or ending with '-', joined by '.', at most 253
 * characters in all), or undefined when it is.
 */
export function dnsNameProblem(name: string): string | undefined {
  const labels = name.split(".");
  if (labels.some((label) => label.length === 0)) {
    return "it has an empty label";
  }
  for (const label of labels) {
    if (!/^[-a-z0-9]+$/.test(label)) {
      return `the label "${label}" has a character other than a-z, 0-9 and '-'`;
    }
    if (label.startsWith("-") || label.endsWith("-")) {
      return `the label "${label}" starts or ends with '-'`;
    }
    if (label.length > DNS_LABEL_MAX) {
      return `the label "${label}" has ${label.length} characters`;
    }
  }
  return name.length > DNS_NAME_MAX ? `it has ${name.length} characters` : undefined;
}
