/**
 * Container image references, after the grammar of the distribution project's `reference` package
 * (what containerd and the kubelet parse):
 *
 *   reference   := name [ ":" tag ] [ "@" digest ]
 *   name        := [ domain "/" ] path-component [ "/" path-component ]*
 *   domain      := host [ ":" port ]      host := domain-name | IPv4 | "[" IPv6 "]"
 *   domain-name := component [ "." component ]*   component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
 *   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag         := [\w][\w.-]{0,127}
 *   digest      := algorithm ":" hex       algorithm := [A-Za-z][A-Za-z0-9]* ( [+._-] [A-Za-z][A-Za-z0-9]* )*
 *   hex         := [0-9a-fA-F]{32,}        (sha256: exactly 64 lowercase hex)
 *
 * The first component is a domain only when it has a "." or a ":" or is "localhost", or has an
 * upper-case letter; the whole name is at most 255 characters.
 */
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = "\\[(?:[a-fA-F0-9:]+)\\]";
const HOST = `(?:${DOMAIN_NAME}|${IPV6})`;
const DOMAIN = new RegExp(`^${HOST}(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const NAME_MAX = 255;

/** A reference's parts: the name, and the tag and digest when it has them. */
export interface ImageReferenceParts {
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Splits a reference at its digest ("@") and tag (the last ":" after the last "/"). */
export function splitImageReference(reference: string): ImageReferenceParts {
  const at = reference.indexOf("@");
  const digest = at >= 0 ? reference.slice(at + 1) : undefined;
  const rest = at >= 0 ? reference.slice(0, at) : reference;
  // A ":" before the last "/" is the registry's port, not a tag.
  const colon = rest.indexOf(":", rest.lastIndexOf("/") + 1);
  return {
    name: colon >= 0 ? rest.slice(0, colon) : rest,
    ...(colon >= 0 ? { tag: rest.slice(colon + 1) } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** Why a reference is not valid, or undefined when it is. */
export function imageReferenceProblem(reference: string): string | undefined {
  const { name: rest, tag, digest } = splitImageReference(reference);
  if (digest !== undefined) {
    if (!DIGEST.test(digest)) {
      return `the digest "${digest}" is not <algorithm>:<hex>`;
    }
    if (digest.startsWith("sha256:") && !/^sha256:[a-f0-9]{64}$/.test(digest)) {
      return `a sha256 digest has exactly 64 lowercase hex digits`;
    }
  }
  if (tag !== undefined && !TAG.test(tag)) {
    return `the tag "${tag}" is not valid (letters, digits, '_', '.', '-'; at most 128, not starting with '.' or '-')`;
  }
  if (rest.length === 0) {
    return "the name is empty";
  }
  if (rest.length > NAME_MAX) {
    return `the name is longer than ${NAME_MAX} characters`;
  }
  const components = rest.split("/");
  const first = components[0];
  const hasDomain =
    components.length > 1 &&
    (first.includes(".") ||
      first.includes(":") ||
      first === "localhost" ||
      first !== first.toLowerCase());
  if (hasDomain) {
    if (!DOMAIN.test(first)) {
      return `the registry "${first}" is not a host name or address with an optional port`;
    }
    components.shift();
  }
  const bad = components.find((component) => !PATH_COMPONENT.test(component));
  if (bad !== undefined) {
    return `the path component "${bad}" is not lowercase letters and digits joined by '.', '_', '__' or '-'`;
  }
  return undefined;
}

/**
 * Why a valid reference is not pinned, or undefined when it is: a digest pins it, and so does any
 * tag but `latest`; no tag at all is `latest`. A tag that moves makes `pulumi up` deploy other code
 * than the last one did, with no diff to show it.
 */
export function mutableImageProblem(reference: string): string | undefined {
  const { name, tag, digest } = splitImageReference(reference);
  if (digest !== undefined || (tag !== undefined && tag !== "latest")) {
    return undefined;
  }
  const accepted = `expected an image pinned by a fixed tag or a digest, such as ${name}:<version> or ${name}@sha256:<64 hex>`;
  const moves = "so pulumi up would deploy different code with no diff";
  return tag === undefined
    ? `${accepted}: with no tag it is ${name}:latest, whose tag moves, ${moves}`
    : `${accepted}: the tag "latest" moves, ${moves}`;
}
