/**
 * Keeps secrets out of a report: GitHub masks secrets in a job's log, not in a comment body or a
 * job summary. Removes the values the job knows to be secret (the workflow's secrets, the values the
 * engine marks secret) wherever they appear, and anything shaped like a credential.
 */
import { EngineEvent } from "./events";

/** A credential found by its shape. */
interface Shape {
  /** What it is, as the placeholder names it: "[redacted JWT]". */
  readonly kind: string;
  /** Finds it; a group named `keep` (the key of `token: x`) stays in the text. */
  readonly pattern: RegExp;
}

/** Base64 characters, the URL-safe ones too. */
const B64 = "[A-Za-z0-9+/_-]";

// The names of the fields that hold a credential in a kubeconfig, an env dump or a JSON body: the
// name ends with the word (PULUMI_ACCESS_TOKEN, client-secret), so `secretsprovider` or
// `tokenFile` is not one.
const SECRET_KEY =
  "client-key-data|client-certificate-data|[\\w-]*(?:token|password|passwd|passphrase|secret|api[-_]?key|private[-_]?key|access[-_]?key)";
// What is not a credential though it follows such a key: a flag, nothing, or a redaction.
const NOT_A_VALUE = "(?!(?:true|false|null|\\d+)\\b|\\[(?:secret|redacted)\\b)";

/**
 * Most specific first: a PEM block before the base64 in it, a JWT before its parts, a token with a
 * known prefix before the generic `token x` and `token: x`.
 */
const SHAPES: readonly Shape[] = [
  {
    kind: "PEM block",
    // Whole, or cut (a trimmed output): the BEGIN line and the base64 lines after it.
    pattern: new RegExp(
      `-----BEGIN ([A-Z0-9 ]+)-----(?:[\\s\\S]{0,10000}?-----END \\1-----|(?:(?:\\\\n|\\r?\\n)[ \\t]*[A-Za-z0-9+/=]+)*)`,
      "g",
    ),
  },
  // A PEM block base64-encoded, as a kubeconfig's client-key-data and client-certificate-data.
  { kind: "base64 PEM", pattern: new RegExp(`LS0tLS1CRUdJTi${B64}*=*`, "g") },
  { kind: "JWT", pattern: new RegExp(`\\beyJ${B64}{10,}(?:\\.${B64}*){0,2}`, "g") },
  { kind: "AWS access key", pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g },
  { kind: "Pulumi access token", pattern: /\bpul-[A-Za-z0-9]{20,}\b/g },
  { kind: "GitHub token", pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{30,})\b/g },
  { kind: "k3s token", pattern: /\bK10[0-9a-f]{20,}::[a-z]+:[A-Za-z0-9]+/g },
  {
    kind: "credential",
    pattern: new RegExp(
      `(?<keep>\\b(?:Bearer|Basic|token) +)(?=${B64}*[0-9+/_=.~-])[A-Za-z0-9+/_.~-]{8,}=*`,
      "g",
    ),
  },
  {
    kind: "secret",
    pattern: new RegExp(
      // Starting only where a name starts (not after each "-" of it, as \b would), so that a long
      // run of name characters is read once, not once for each of its dashes.
      `(?<keep>(?<![\\w-])(?:${SECRET_KEY})["']?[ \\t]*[:=][ \\t]*["']?)${NOT_A_VALUE}[^\\s"',;{}]{4,}`,
      "gi",
    ),
  },
];

/**
 * The shortest known secret value redacted wherever it appears: a shorter one would hit ordinary
 * words and numbers all over the report (and guards nothing worth the name).
 */
export const MIN_SECRET_LENGTH = 4;

/** A word of a multi-line secret (a kubeconfig's base64 data, a key's line) redacted on its own. */
const LONG_WORD = /^[A-Za-z0-9+/=_.-]{16,}$/;

/**
 * The forms a known secret can take in a log: itself, JSON-escaped, and the long base64-like
 * words of it, which a program that prints the secret re-indented or in part still shows.
 */
function formsOf(secret: string): string[] {
  const words = secret.split(/\s+/).filter((word) => LONG_WORD.test(word));
  return [secret, JSON.stringify(secret).slice(1, -1), ...words];
}

/** A function that redacts the given known secrets, then every credential-shaped string. */
export function redactor(secrets: readonly string[] = []): (text: string) => string {
  const known = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH).flatMap(formsOf))]
    .filter((form) => form.length >= MIN_SECRET_LENGTH)
    // Longest first, so a secret is not half-replaced by a shorter one inside it.
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const form of known) {
      out = out.split(form).join("[secret]");
    }
    for (const { kind, pattern } of SHAPES) {
      out = out.replace(pattern, (...args: unknown[]) => {
        // With named groups, the last argument is their object.
        const groups = args[args.length - 1];
        const keep = typeof groups === "object" ? (groups as { keep?: string }).keep : undefined;
        return `${keep ?? ""}[redacted ${kind}]`;
      });
    }
    return out;
  };
}

/** A JSON value with every string in it redacted: messages, names, URNs, details. */
export function redactStrings<T>(value: T, redact: (text: string) => string): T {
  return JSON.parse(JSON.stringify(value), (_key, inner: unknown) =>
    typeof inner === "string" ? redact(inner) : inner,
  ) as T;
}

/** The events with every string in them redacted: messages, names, URNs. */
export function redactEvents(
  events: readonly EngineEvent[],
  redact: (text: string) => string,
): EngineEvent[] {
  return events.map((event) => redactStrings(event, redact));
}
