import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { main as reportMain } from "../.github/scripts/report";
import { EngineEvent, secretValues } from "../.github/scripts/report/events";
import { MIN_SECRET_LENGTH, redactor } from "../.github/scripts/report/redact";
import { toVerification } from "../checks/contract/verification";
import { healthy } from "./checks/verdicts";
import {
  capture,
  CAPTURES,
  diagnostic,
  postComment,
  preview,
  previewReport,
  PULUMI_JOBS,
  ROOT,
  runStep,
  scratchDir,
  stepNamed,
} from "./workflows.helpers";

// No secret in a PR comment or a job summary: GitHub masks secrets in the log, not there.
// test/fixtures/previews/secret-leak is the real policy-violation capture with secrets injected
// (see its README): what a program or a provider that echoes them would print, in the output and
// in the event log, and a value the engine marks secret with its plaintext shown.

const LEAK = path.join(CAPTURES, "secret-leak");
const { env: JOB_SECRETS, leaked: LEAKED } = JSON.parse(
  fs.readFileSync(path.join(LEAK, "secrets.json"), "utf8"),
) as { env: Record<string, string>; leaked: string[] };

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";

describe("the report of a capture with secrets in it", () => {
  const run = capture("secret-leak");
  const body = previewReport(run, Object.values(JOB_SECRETS));

  it("has every injected secret in the capture, so the check below means something", () => {
    const raw = `${run.log}\n${JSON.stringify(run.events)}`;
    for (const secret of LEAKED) {
      expect(raw, secret).toContain(secret);
    }
  });

  it("keeps none of them, in the summary, the errors or the output", () => {
    for (const secret of LEAKED) {
      expect(body, secret).not.toContain(secret);
    }
    // Not even a long piece of one (a cut output or an escaped form would leave that).
    for (const secret of LEAKED.filter((s) => s.length >= 32)) {
      expect(body, secret).not.toContain(secret.slice(8, 32));
    }
  });

  it("still reads: the same outcome, totals and findings, the output around them whole", () => {
    const clean = previewReport(capture("policy-violation"));
    expect(body.split("\n").slice(0, 6)).toEqual(clean.split("\n").slice(0, 6));
    const table = (text: string) => text.split("\n").filter((line) => line.startsWith("| "));
    expect(table(body)).toEqual(table(clean));
    expect(table(body)).toHaveLength(4);
    expect(body).toContain(
      "- Policies: 1 mandatory, 1 advisory\n- Error: kubernetes: Unauthorized (token [secret]) from https://127.0.0.1:6443 with passphrase [secret]\n\n| Level |",
    );
    for (const line of [
      "warning: Undefined value (busyboxNode) will not show as a stack output.",
      "kubeconfig in use: apiVersion: v1",
      "        certificate-authority-data: [secret]",
      "        server: https://127.0.0.1:6443",
      "        client-key-data: [secret]",
      "        token: [secret]",
      "[redacted PEM block]",
      "PULUMI_ACCESS_TOKEN=[secret]",
      "the stack passphrase is [secret]",
      'checks environment: {"LAB_SHARED":"[secret]"}',
      "        + command:local:Command: (create)",
    ]) {
      expect(body, line).toContain(`\n${line}\n`);
    }
    expect(body).toMatch(/ {4}pod-to-pod\|local\|policy {2}0\.1\.0\n```\n<\/details>\n/);
  });

  it("finds the credentials by their shape alone, but not a passphrase: the job must name its secrets", () => {
    const shapes = previewReport(run);
    for (const line of [
      "        client-certificate-data: [redacted base64 PEM]",
      "        client-key-data: [redacted base64 PEM]",
      "        token: [redacted JWT]",
      "[redacted PEM block]",
      'curl -H "Authorization: Bearer [redacted credential]" https://127.0.0.1:6443/api/v1/namespaces',
      "AWS_ACCESS_KEY_ID=[redacted AWS access key] AWS_SECRET_ACCESS_KEY=[redacted secret]",
      "PULUMI_ACCESS_TOKEN=[redacted Pulumi access token]",
      "GITHUB_TOKEN=[redacted GitHub token] and [redacted GitHub token]",
      "k3s node token [redacted k3s token]",
      // Marked secret by the engine, with its plaintext in the event log.
      'checks environment: {"LAB_SHARED":"[secret]"}',
    ]) {
      expect(shapes, line).toContain(`\n${line}\n`);
    }
    expect(shapes).toContain("the stack passphrase is correct-horse-battery-staple\n");
    expect(LEAKED.filter((secret) => shapes.includes(secret))).toEqual([
      JOB_SECRETS.PULUMI_CONFIG_PASSPHRASE,
    ]);
  });

  it("is what preview.yml's report step writes and its comment step posts, run in bash", async () => {
    const step = stepNamed(preview.jobs.preview, /^Render the report$/);
    const ran = runStep(step, {
      cwd: ROOT,
      env: {
        ...JOB_SECRETS,
        ...{ EXIT_CODE: "1", COMMIT: "abcdef0123456789", STACK: "dev" },
        ...{ GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "lab/pod-to-pod" },
        GITHUB_RUN_ID: "42",
      },
      files: {
        "preview.txt": run.log,
        "preview-events.jsonl": fs.readFileSync(path.join(LEAK, "events.jsonl"), "utf8"),
      },
    });
    expect(ran.status, ran.output).toBe(0);
    expect(ran.file("report.md")).toBe(`${body}\n`);
    const [call] = await postComment(ran.file("report.md"));
    for (const secret of LEAKED) {
      expect(ran.file("summary.md"), secret).not.toContain(secret);
      expect(call.params.body, secret).not.toContain(secret);
    }
  });
});

describe("a real preview with kubernetes:kubeconfig set --secret", () => {
  // test/fixtures/previews/secret-config: CLI 3.259.0 on this program, the inline kubeconfig
  // (kubeconfig.yaml, a made-up token for an unreachable server) set with `pulumi config set --secret`.
  const run = capture("secret-config");
  const kubeconfig = fs.readFileSync(
    path.join(CAPTURES, "secret-config", "kubeconfig.yaml"),
    "utf8",
  );
  const token = /token: (\S+)/.exec(kubeconfig)?.[1] ?? "";

  it("has the engine write it as [secret] only: the report has no plaintext of it to find", () => {
    expect(token).toMatch(/^eyJ/);
    expect(run.exitCode).toBe(0);
    const events = JSON.stringify(run.events);
    expect(`${run.log}${events}`).not.toContain(token);
    expect(
      run.events.find((e) => e.preludeEvent)?.preludeEvent?.config["kubernetes:kubeconfig"],
    ).toBe("[secret]");
    expect(events).toContain(`{"${SIG}":"${SECRET}","ciphertext":"[secret]"}`);
    expect(secretValues(run.events)).toEqual([]);
  });

  it("reads like any clean preview, and is the same whether or not the job knows the kubeconfig", () => {
    const body = previewReport(run);
    expect(body).toContain(
      "✅ **Preview succeeded**\n\n- Resources: +12 to create\n- Policies: 0 mandatory, 1 advisory\n",
    );
    expect(body).not.toContain("[redacted");
    expect(previewReport(run, [kubeconfig])).toBe(body);
  });
});

describe("the report step of each job", () => {
  for (const [name, job] of PULUMI_JOBS) {
    it(`${name}: redacts every secret the step is given, in the output and the checks' report`, () => {
      const step = stepNamed(job, /^(Render the report|Report to the job summary)$/);
      // Each secret the step gets, as a value with no shape that only its name can find.
      const secrets = Object.fromEntries(
        Object.entries(step.env ?? {})
          .filter(([, value]) => /^\$\{\{ secrets\.\w+ \}\}$/.test(value))
          .map(([key]) => [key, `plain value of ${key.toLowerCase()}`]),
      );
      expect(Object.keys(secrets).sort(), name).toEqual([
        "KUBECONFIG_CONTENT",
        "PULUMI_ACCESS_TOKEN",
        "PULUMI_CONFIG_PASSPHRASE",
      ]);
      const leak = Object.values(secrets).join("\n");
      const as = name === "up.yml up" ? "up" : "preview";
      const verifies = name !== "preview.yml preview";
      // A verdict whose evidence carries the secrets: shown, it is redacted too.
      const leaky = toVerification({
        ...healthy,
        checks: healthy.checks.map((c) => (c.name === "pod-cidr" ? { ...c, detail: leak } : c)),
      });
      const run = (verdict: boolean) =>
        runStep(step, {
          cwd: ROOT,
          env: {
            ...secrets,
            ...{ EXIT_CODE: "0", UP_EXIT_CODE: "0", PREVIEW_EXIT_CODE: "0", VERIFY_EXIT_CODE: "1" },
            ...{ COMMIT: "c", GITHUB_SHA: "c", STACK: "dev", GITHUB_RUN_ID: "42" },
            ...{ GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "lab/pod-to-pod" },
          },
          files: {
            [`${as}.txt`]: `the program printed:\n${leak}\n`,
            [`${as}-events.jsonl`]: "",
            "verify.txt": `verify printed:\n${leak}\n`,
            ...(verdict ? { "verification.json": JSON.stringify(leaky) } : {}),
          },
        });
      for (const verdict of [false, true]) {
        const ran = run(verdict);
        expect(ran.status, ran.output).toBe(0);
        const summary = ran.file("summary.md");
        expect(summary).toContain("the program printed:\n[secret]\n[secret]\n[secret]\n");
        if (verifies && verdict) {
          expect(summary).toContain("| pod-cidr | PASS | [secret]<br>[secret]<br>[secret] |");
        } else if (verifies) {
          expect(summary).toContain("verify printed:\n[secret]\n[secret]\n[secret]\n");
        }
        for (const value of Object.values(secrets)) {
          expect(summary, value).not.toContain(value);
        }
      }
    });
  }
});

describe("report.ts --redact-env", () => {
  const args = (dir: string, ...more: string[]) => [
    ...["--title", "T", "--command", "preview", "--log", path.join(dir, "log.txt")],
    ...["--exit-code", "0", "--run-url", "u", "--commit", "c", ...more],
  ];

  it("redacts the named variables' values, and refuses a name the step does not set", () => {
    const dir = scratchDir("redact-env");
    fs.writeFileSync(path.join(dir, "log.txt"), "connected with s3kr1t-value\n");
    const env = { MY_SECRET: "s3kr1t-value", EMPTY: "" };
    const body = reportMain(args(dir, "--redact-env", "MY_SECRET", "--redact-env", "EMPTY"), env);
    expect(body).toContain("connected with [secret]\n");
    expect(body).not.toContain("s3kr1t");
    expect(reportMain(args(dir), env)).toContain("connected with s3kr1t-value\n");
    expect(() => reportMain(args(dir, "--redact-env", "NOT_SET"), env)).toThrow(
      "--redact-env NOT_SET: the step's environment has no NOT_SET",
    );
  });
});

describe("the redactor", () => {
  const redact = redactor();

  it("leaves every real capture as it is: nothing in them is shaped like a credential", () => {
    for (const name of [
      "clean",
      "policy-violation",
      "failed",
      "drift",
      "no-stack",
      "secret-config",
    ]) {
      const run = capture(name);
      expect(redact(run.log), name).toBe(run.log);
      const strings: string[] = [];
      JSON.stringify(run.events, (_key, value: unknown) => {
        if (typeof value === "string") {
          strings.push(value);
        }
        return value;
      });
      expect(
        strings.filter((s) => redact(s) !== s),
        name,
      ).toEqual([]);
    }
  });

  it.each([
    ["Authorization: Bearer abcdef0123456789", "Authorization: Bearer [redacted credential]"],
    ["Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic [redacted credential]"],
    ['"token": "0123456789abcdef"', '"token": "[redacted secret]"'],
    ["password=hunter2hunter2", "password=[redacted secret]"],
    ["client-secret: abcd1234", "client-secret: [redacted secret]"],
    ["aws_secret_access_key = wJalrXUtnFEMI", "aws_secret_access_key = [redacted secret]"],
    ["id ASIAIOSFODNN7EXAMPLE", "id [redacted AWS access key]"],
    [
      "-----BEGIN RSA PRIVATE KEY-----\\nMIIE\\n-----END RSA PRIVATE KEY-----",
      "[redacted PEM block]",
    ],
    ["x -----BEGIN PRIVATE KEY-----\n  MIIEvQIBADANBg\n  kqhkiG9w0BAQEF", "x [redacted PEM block]"],
  ])("redacts %j", (text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it.each([
    "automountServiceAccountToken : false",
    '"service-account-token","service-type"',
    "token: [secret]",
    "set the repository secret PULUMI_ACCESS_TOKEN to an access token for it",
    "Basic authentication is not configured",
    "secretsprovider: passphrase",
  ])("leaves %j", (text) => {
    expect(redact(text)).toBe(text);
  });

  it("takes linear time on text built to make a pattern backtrack", () => {
    // 100k dash-joined name pieces took 147 s when the key pattern could start after each dash.
    for (const text of [
      "a-".repeat(100_000),
      "-----BEGIN X-----\n".repeat(2_000),
      "eyJ".repeat(60_000),
    ]) {
      const start = performance.now();
      redact(text);
      expect(performance.now() - start, text.slice(0, 20)).toBeLessThan(5_000);
    }
  });

  it("redacts a known secret in its JSON-escaped form and by its long lines", () => {
    const kubeconfig = "apiVersion: v1\nusers:\n- user:\n    data: QUJDREVGR0hJSktMTU5PUFFSU1RV\n";
    const known = redactor([kubeconfig, "abc"]);
    expect(known(JSON.stringify({ kubeconfig }))).toBe('{"kubeconfig":"[secret]"}');
    expect(known("  data: QUJDREVGR0hJSktMTU5PUFFSU1RV")).toBe("  data: [secret]");
    // Shorter than MIN_SECRET_LENGTH: it would hit every "abc" in the report.
    expect("abc".length).toBeLessThan(MIN_SECRET_LENGTH);
    expect(known("abc")).toBe("abc");
  });
});

describe("secretValues", () => {
  it("reads the plaintexts the engine marks secret, and nothing from the ciphertext sentinel", () => {
    const inputs = {
      plain: "not secret",
      shown: { [SIG]: SECRET, plaintext: JSON.stringify({ user: "lab", key: "k-123456" }) },
      blinded: { [SIG]: SECRET, ciphertext: "[secret]" },
      asset: { [SIG]: "c44067f5952c0a294b673a41bacd8c17", text: "an asset, not a secret" },
    };
    const event = {
      ...diagnostic("x", "info"),
      resourcePreEvent: { metadata: { new: { inputs } } },
    } as unknown as EngineEvent;
    expect(secretValues([event]).sort()).toEqual(["k-123456", "lab"]);
    expect(secretValues(capture("clean").events)).toEqual([]);
  });
});
