import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  buildScript,
  CUT_RC,
  MalformedScriptOutputError,
  OUTPUT_BOUND_BYTES,
  parseScriptOutput,
  probesOf,
  shellQuote,
} from "../../../../checks/probe/script";
import { PROBE_ATTEMPTS } from "../../../../checks/probe/commands";
import { serviceNameLagBoundMs, serviceReadyBoundMs } from "../../../../checks/plan/client";
import { clientScript, podScriptDeadlineSeconds } from "../../../../checks/scenarios/pair/probes";
import { CheckPlan } from "../../../../checks/contract/types";
import { diagnose } from "../../../../checks/judge/diagnose";
import { pairFindings } from "../../../../checks/scenarios/pair";
import { witnessToken } from "../../../../checks/witness/request";
import { evaluateChecks, seedEndpoints, seedNodes, seedPlan, TEST_NONCE } from "../../../helpers";

/** A bin folder where each probe command is a stub that prints a known line and exits as told. */
const stubDirs: string[] = [];
afterAll(() => stubDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function stubBin(behaviour: Record<string, { out: string; rc: number }>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pod-script-"));
  stubDirs.push(dir);
  for (const [name, { out, rc }] of Object.entries(behaviour)) {
    fs.writeFileSync(
      path.join(dir, name),
      `#!/bin/sh\necho "${name} $*"\necho ${shellQuote(out)}\nexit ${rc}\n`,
      { mode: 0o755 },
    );
  }
  // `timeout` runs what it is given, as busybox's does.
  fs.writeFileSync(path.join(dir, "timeout"), '#!/bin/sh\nshift\nexec "$@"\n', { mode: 0o755 });
  return dir;
}

/**
 * `timeout` as busybox's works: it stops the one process it runs, and nothing that process started.
 * (GNU timeout stops the whole process group, which would hide what busybox does in a pod.)
 */
function busyboxTimeout(bin: string): void {
  fs.writeFileSync(
    path.join(bin, "timeout"),
    '#!/bin/sh\nt=$1; shift\n"$@" & child=$!\n( sleep "$t"; kill "$child" ) 2>/dev/null & watch=$!\nwait "$child"; rc=$?\nkill "$watch" 2>/dev/null\nexit "$rc"\n',
    { mode: 0o755 },
  );
}

/** Writes an executable stub into `bin`. */
function stub(bin: string, name: string, body: string): void {
  fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

/**
 * The client's view of a broken overlay: nothing on another node answers (wget and nslookup hang
 * until stopped; ping to the nginx pod loses every packet within its deadline) while the client's
 * own node, its gateway, answers ping.
 */
function brokenOverlayBin(): string {
  const bin = stubBin({});
  busyboxTimeout(bin);
  // One process that never gets an answer, as a wget stuck in connect() is.
  stub(bin, "wget", "exec sleep 30");
  stub(bin, "nslookup", "exec sleep 30");
  stub(
    bin,
    "ip",
    `case "$1" in addr) cat ${shellQuote(path.join(__dirname, "../../../fixtures/seeds/ip-addr.txt"))};; *) cat ${shellQuote(path.join(__dirname, "../../../fixtures/seeds/ip-route.txt"))};; esac`,
  );
  stub(
    bin,
    "ping",
    `case "$*" in *10.42.0.1*) cat ${shellQuote(path.join(__dirname, "../../../fixtures/busybox/ping-ok.txt"))}; exit 0;; esac\nsleep 1; cat ${shellQuote(path.join(__dirname, "../../../fixtures/busybox/ping-loss.txt"))}; exit 1`,
  );
  return bin;
}

/** The client's script, with its own deadline or the one a test sets. */
function buildPodScript(plan: CheckPlan, nonce: string, deadline?: number): string {
  const spec = clientScript(plan, nonce);
  return buildScript(deadline === undefined ? spec : { ...spec, deadlineSeconds: deadline });
}

/** The client's probes, in the order their sections are printed. */
const SECTION_ORDER = probesOf(clientScript(seedPlan, TEST_NONCE).jobs).map((p) => p.name);

function runScript(bin: string, plan = seedPlan, nonce = TEST_NONCE, deadline?: number): string {
  const script = buildPodScript(plan, nonce, deadline);
  return execFileSync("/bin/sh", ["-c", script], {
    env: { PATH: `${bin}:/usr/bin:/bin`, NONCE: nonce },
    encoding: "utf8",
  });
}

/** Runs the script for real (with stub commands) and reads its sections back. */
function parseSections(stdout: string, nonce = TEST_NONCE) {
  return parseScriptOutput(stdout, nonce).sections;
}

describe("the client's script", () => {
  it("runs every probe in one shell and marks each section with its exit status", () => {
    const bin = stubBin({
      wget: { out: "Welcome to nginx!", rc: 0 },
      nslookup: { out: "Name: x", rc: 1 },
      ping: { out: "4 packets transmitted", rc: 0 },
      ip: { out: "eth0", rc: 0 },
    });
    // A 1 s timeout keeps the bounded wait for the (unresolvable) Service name short.
    const sections = parseSections(runScript(bin, { ...seedPlan, timeoutSeconds: 1 }));
    expect([...sections.keys()]).toEqual([
      "pod-ip-http",
      "pod-ip-identity",
      "large-http",
      "ping",
      "mtu-ping",
      "service-ready",
      "service-dns-http",
      "service-dns-identity",
      "service-fqdn-http",
      "service-fqdn-identity",
      "service-clusterip-http",
      "service-clusterip-identity",
      "dns",
      "ip-addr",
      "ip-route",
      "gateway-ping",
    ]);
    expect(sections.get("pod-ip-http")?.output).toBe(
      "wget -S -q -O - http://10.42.0.7:80/\nWelcome to nginx!",
    );
    expect(sections.get("pod-ip-identity")?.output).toBe(
      `wget -S -q -O - http://10.42.0.7:80/pod-to-pod/identity?pod-to-pod-run=${witnessToken(TEST_NONCE)}&probe=pod-ip-identity\nWelcome to nginx!`,
    );
    expect(sections.get("service-dns-http")?.output).toContain("http://nginx-service:80/");
    expect(sections.get("service-fqdn-http")?.output).toContain(
      "http://nginx-service.pod-to-pod.svc.cluster.local:80/",
    );
    expect(sections.get("service-clusterip-http")?.output).toContain("http://10.43.12.34:80/");
    expect(sections.get("dns")).toMatchObject({ rc: 1 });
    expect(sections.get("ping")?.output).toContain("ping -c 4 -A -w 5 10.42.0.7");
    expect(sections.get("gateway-ping")?.output).toContain("ping -c 2 -A -w 1");
    expect(sections.get("ip-route")?.output).toContain("ip route");
    // Each section's time is the script's own clock, in whole milliseconds, within its deadline.
    const deadlineMs = podScriptDeadlineSeconds({ ...seedPlan, timeoutSeconds: 1 }) * 1000;
    for (const [name, section] of sections) {
      expect(
        Number.isInteger(section.ms) && section.ms < deadlineMs,
        `${name}: ${section.ms}`,
      ).toBe(true);
    }
  });

  it("waits for the Service, bounded, and says what did not answer", () => {
    const ready = parseSections(
      runScript(
        stubBin({
          wget: { out: "Welcome to nginx!", rc: 0 },
          nslookup: { out: "Name: x", rc: 0 },
          ping: { out: "", rc: 0 },
          ip: { out: "", rc: 0 },
        }),
      ),
    ).get("service-ready");
    expect(ready).toMatchObject({ rc: 0, tries: 1 });
    expect(ready?.output).toBe("name resolves: yes; http://nginx-service:80/ serves: yes");

    const plan = { ...seedPlan, timeoutSeconds: 1 };
    const waited = parseSections(
      runScript(
        stubBin({
          wget: { out: "", rc: 1 },
          nslookup: { out: "", rc: 1 },
          ping: { out: "", rc: 0 },
          ip: { out: "", rc: 0 },
        }),
        plan,
      ),
    ).get("service-ready");
    expect(waited?.rc).toBe(1);
    expect(waited?.output).toBe("name resolves: no; http://nginx-service:80/ serves: no");
    // The bound (2 x timeoutSeconds) held, give or take one round of polling.
    expect(waited?.ms).toBeGreaterThanOrEqual(serviceReadyBoundMs(plan.timeoutSeconds));
    // The wait itself stopped at its bound, give or take its last round (two 2 s probes).
    expect(waited?.ms).toBeLessThan(serviceReadyBoundMs(plan.timeoutSeconds) + 4_500);
  }, 60_000);

  it("waits past the short bound while CoreDNS answers NXDOMAIN (it has not seen the Service yet), up to the longer one", () => {
    const plan = { ...seedPlan, timeoutSeconds: 1 };
    const bin = stubBin({
      wget: { out: "Welcome to nginx!", rc: 0 },
      ping: { out: "", rc: 0 },
      ip: { out: "", rc: 0 },
    });
    // NXDOMAIN until 3 s after the first query (past the 2 s short bound), then the answer.
    fs.writeFileSync(
      path.join(bin, "nslookup"),
      `#!/bin/sh
now=$(date +%s)
first=$(cat ${bin}/first 2>/dev/null || { echo $now > ${bin}/first; echo $now; })
if [ $((now - first)) -ge 3 ]; then echo "Name: x"; exit 0; fi
echo "** server can't find x: NXDOMAIN"; exit 1
`,
      { mode: 0o755 },
    );
    const ready = parseSections(runScript(bin, plan)).get("service-ready");
    expect(ready?.rc).toBe(0);
    expect(ready?.ms).toBeGreaterThan(serviceReadyBoundMs(plan.timeoutSeconds));
    expect(ready?.ms).toBeLessThan(serviceNameLagBoundMs(plan.timeoutSeconds));
    expect(ready?.output).toBe("name resolves: yes; http://nginx-service:80/ serves: yes");
    expect(serviceNameLagBoundMs(plan.timeoutSeconds)).toBe(40_000);
    expect(serviceNameLagBoundMs(30)).toBe(60_000);
  });

  it("tries a failing network probe again, up to PROBE_ATTEMPTS, but never ping", () => {
    const bin = stubBin({
      nslookup: { out: "", rc: 0 },
      ping: { out: "loss", rc: 1 },
      ip: { out: "", rc: 0 },
    });
    // wget to the pod IP fails until it has been called three times, then succeeds; the rest work.
    fs.writeFileSync(
      path.join(bin, "wget"),
      `#!/bin/sh\ncase "$*" in *10.42.0.7*) ;; *) echo "Welcome to nginx!"; exit 0;; esac\nn=$(cat ${bin}/count 2>/dev/null || echo 0); n=$((n + 1)); echo $n > ${bin}/count\n[ $n -ge 3 ] && echo "Welcome to nginx!" && exit 0\necho "wget: can't connect to remote host (10.42.0.7): Connection refused"; exit 1\n`,
      { mode: 0o755 },
    );
    const sections = parseSections(runScript(bin));
    expect(sections.get("pod-ip-http")).toMatchObject({ rc: 0, tries: 3 });
    expect(sections.get("pod-ip-http")?.ms).toBeGreaterThanOrEqual(2000);
    expect(sections.get("service-dns-http")).toMatchObject({ rc: 0, tries: 1 });
    expect(sections.get("ping")).toMatchObject({ rc: 1, tries: 1 });
    expect(PROBE_ATTEMPTS).toBe(3);
  });

  it("keeps a hostile value inside its quotes", () => {
    // The value would create a file in a folder of this test's own, if it ever escaped its quotes.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pod-script-hostile-"));
    stubDirs.push(dir);
    const marker = path.join(dir, "pwned");
    const script = buildPodScript(
      { ...seedPlan, serviceName: `x'; touch ${marker}; '` },
      TEST_NONCE,
    );
    const bin = stubBin({
      wget: { out: "", rc: 0 },
      nslookup: { out: "", rc: 0 },
      ping: { out: "", rc: 0 },
      ip: { out: "", rc: 0 },
    });
    execFileSync("/bin/sh", ["-c", script], { env: { PATH: `${bin}:/usr/bin:/bin` } });
    expect(fs.readdirSync(dir)).toEqual([]);
    // The same command, unquoted, does create it: the test can see an escape.
    execFileSync("/bin/sh", ["-c", `echo x; touch ${marker}; echo`]);
    expect(fs.existsSync(marker)).toBe(true);
  });

  it("refuses a nonce that is not 32 hex digits", () => {
    expect(() => buildPodScript(seedPlan, "abc; rm -rf /")).toThrow(/32 hex digits/);
  });
});

describe("a broken network gives its verdict within the script's bound", () => {
  const plan = { ...seedPlan, timeoutSeconds: 1, clientNode: "node2" };
  const nodes = new Map([
    ["vagrant", { podCidrs: ["10.42.0.0/24"] }],
    ["node2", { podCidrs: ["10.42.0.0/24"] }],
  ]);

  it("a broken overlay: every section, the cross-node verdict, and far less than the probes' serial worst case", () => {
    const started = Date.now();
    const output = runScript(brokenOverlayBin(), plan);
    const seconds = (Date.now() - started) / 1000;
    const { sections, complete } = parseScriptOutput(output, TEST_NONCE);
    expect(complete).toBe(true);
    // Every probe has its section; who answered is not asked where no page came back.
    expect([...sections.keys()]).toEqual(SECTION_ORDER);
    for (const name of SECTION_ORDER.filter((n) => n.endsWith("-identity"))) {
      expect(sections.get(name), name).toMatchObject({ tries: 0 });
    }
    // A hanging wget is stopped at its timeout: the page probes took their three tries, no more.
    expect(sections.get("pod-ip-http")).toMatchObject({ rc: 143, tries: PROBE_ATTEMPTS });
    expect(sections.get("pod-ip-http")?.ms).toBeLessThan(PROBE_ATTEMPTS * 2000 + 1000);
    // The full-size probes are not run against a pod IP that served nothing.
    expect(sections.get("large-http")).toMatchObject({ tries: 0 });
    expect(sections.get("large-http")?.output).toBe("not probed: pod-ip-identity did not pass");
    const verdict = diagnose(pairFindings(evaluateChecks(plan, sections, nodes, seedEndpoints)));
    expect(verdict?.layer).toBe("cross-node");
    // Side by side: the longest chain (the Service's wait, then its pages), not the sum.
    expect(seconds).toBeLessThan(podScriptDeadlineSeconds(plan));
  }, 60_000);

  it("a transfer that stalls is stopped at its timeout and says so", () => {
    const bin = stubBin({
      nslookup: { out: "", rc: 0 },
      ping: { out: "", rc: 0 },
      ip: { out: "", rc: 0 },
    });
    busyboxTimeout(bin);
    // The page comes back; the large body never does (a black hole for full-size packets).
    stub(
      bin,
      "wget",
      `case "$*" in *pod-to-pod/large*) exec sleep 30;; *identity*) echo ${seedPlan.serverPodUid};; *) cat ${shellQuote(path.join(__dirname, "../../../fixtures/seeds/wget-pod-ip.txt"))};; esac`,
    );
    const started = Date.now();
    const sections = parseSections(runScript(bin, plan));
    const large = sections.get("large-http");
    // Three tries of 1 s, a second apart: not 30 s a try.
    expect((Date.now() - started) / 1000).toBeLessThan(15);
    expect(large).toMatchObject({ rc: 1, tries: PROBE_ATTEMPTS });
    // The count comes last, after what the shell said of the stopped wget.
    expect(large?.output.split("\n").slice(-2)).toEqual(["stalled", "0"]);
    const results = evaluateChecks(plan, sections, nodes, seedEndpoints);
    expect(results.find((r) => r.name === "path-mtu")?.detail).toMatch(
      /65536-byte response from 10\.42\.0\.7:80\/pod-to-pod\/large stalled until the timeout/,
    );
  }, 60_000);

  it("a server that answers without end is cut at the bound: its probe fails on the size, the others keep their results", () => {
    const bin = stubBin({});
    busyboxTimeout(bin);
    const fixture = (name: string) => shellQuote(path.join(__dirname, "../../../fixtures", name));
    stub(bin, "nslookup", `cat ${fixture("busybox/nslookup-ok.txt")}`);
    stub(bin, "ping", `cat ${fixture("busybox/ping-ok.txt")}`);
    stub(
      bin,
      "ip",
      `case "$1" in addr) cat ${fixture("seeds/ip-addr.txt")};; *) cat ${fixture("seeds/ip-route.txt")};; esac`,
    );
    // The nginx pod's address streams its page for ever; the Service answers as nginx does.
    stub(
      bin,
      "wget",
      `case "$*" in *identity*) echo ${seedPlan.serverPodUid};; *"10.42.0.7:80/") printf '  HTTP/1.1 200 OK\\n  \\n'; exec yes 'Welcome to nginx!';; *) cat ${shellQuote(path.join(__dirname, "../../../fixtures/seeds/wget-pod-ip.txt"))};; esac`,
    );
    const sections = parseSections(runScript(bin, plan));
    const page = sections.get("pod-ip-http");
    expect(page).toMatchObject({ rc: CUT_RC, tries: PROBE_ATTEMPTS });
    // What came back is the bound and the one byte past it that tells the cut.
    expect(Buffer.byteLength(page?.output ?? "")).toBe(OUTPUT_BOUND_BYTES + 1);
    const results = evaluateChecks(plan, sections, nodes, seedEndpoints);
    const podIp = results.find((r) => r.name === "pod-ip-http");
    expect(podIp).toMatchObject({ ok: false, facts: { failure: "oversized" } });
    expect(podIp?.detail).toBe(
      '10.42.0.7:80 sent more than 256 KiB, cut there (the lab\'s servers answer in under 1 KiB), beginning "Welcome to nginx! Welcome to nginx! Welcome to nginx! Welcome to nginx! Welcome" (3 tries)',
    );
    expect(results.filter((r) => r.name.startsWith("service-")).map((r) => [r.name, r.ok])).toEqual(
      [
        ["service-dns-http", true],
        ["service-fqdn-http", true],
        ["service-clusterip-http", true],
      ],
    );
    expect(diagnose(pairFindings(results))?.layer).toBe("server");
  }, 60_000);

  it("stops at its deadline, whatever hangs, and says which probes did not finish", () => {
    const bin = stubBin({
      wget: { out: "Welcome to nginx!", rc: 0 },
      nslookup: { out: "Name: x", rc: 0 },
      ping: { out: "", rc: 0 },
    });
    // A command no timeout bounds, stuck for good.
    stub(bin, "ip", "exec sleep 60");
    const started = Date.now();
    const { sections, complete } = parseScriptOutput(
      runScript(bin, seedPlan, TEST_NONCE, 2),
      TEST_NONCE,
    );
    const seconds = (Date.now() - started) / 1000;
    expect(complete).toBe(true);
    expect(seconds).toBeLessThan(10);
    expect(sections.get("ip-addr")).toMatchObject({ rc: 124, tries: 0 });
    expect(sections.get("ip-addr")?.output).toBe("not finished within the script's bound of 2 s");
    // What finished in time is there as it ran.
    expect(sections.get("pod-ip-http")).toMatchObject({ rc: 0, tries: 1 });
  }, 30_000);

  it("runs the probes one after the other where no private folder can be made", () => {
    const bin = stubBin({
      wget: { out: "Welcome to nginx!", rc: 0 },
      nslookup: { out: "Name: x", rc: 0 },
      ping: { out: "", rc: 0 },
      ip: { out: "", rc: 0 },
    });
    stub(bin, "mktemp", "exit 1");
    const { sections, complete } = parseScriptOutput(runScript(bin), TEST_NONCE);
    expect(complete).toBe(true);
    expect([...sections.keys()].sort()).toEqual([...SECTION_ORDER].sort());
  }, 30_000);

  it("bounds the script by its longest chain of probes, at most", () => {
    // The Service's wait at its NXDOMAIN bound (40 s), its last round (4 s), a page and its
    // identity at three tries of 5 s a second apart (17 s each), and 2 s to spare.
    expect(podScriptDeadlineSeconds(seedPlan)).toBe(40 + 4 + 2 * 17 + 2);
    expect(() => buildPodScript(seedPlan, TEST_NONCE, 0)).toThrow(/whole number of seconds/);
  });
});

describe("a probe's output cannot speak for the runner", () => {
  const page = "<html><title>Welcome to nginx!</title></html>";
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  /** Every way a body could try to pass for the script's own lines. */
  const forgeries: Array<[string, (nonce: string) => string]> = [
    ["the old fixed marker", () => `@@pod-to-pod-section pod-ip-http rc=0 ms=1 tries=1\n${page}`],
    [
      "this run's marker and a section line",
      (nonce) => `${nonce} pod-ip-http rc=0 ms=1 tries=1 out=${b64(page)}`,
    ],
    ["this run's marker and the end line", (nonce) => `${nonce} end`],
    ["a guessed marker", () => `${"0".repeat(32)} pod-ip-http rc=0 ms=1 tries=1 out=${b64(page)}`],
    [
      "a carriage return before the marker",
      (nonce) => `\r${nonce} pod-ip-http rc=0 ms=1 tries=1 out=`,
    ],
  ];

  it.each(forgeries)("a failed wget whose body forges %s still fails", (_, forge) => {
    const nonce = "89abcdef0123456789abcdef01234567";
    const bin = stubBin({
      nslookup: { out: "", rc: 0 },
      ping: { out: "", rc: 0 },
      ip: { out: "", rc: 0 },
    });
    // wget to the pod IP "fails" (exit 1) after printing a forged body; everything else works.
    const forged = path.join(bin, "forged.txt");
    fs.writeFileSync(forged, `\n${forge(nonce)}\n${forge(nonce)}\n`);
    fs.writeFileSync(
      path.join(bin, "wget"),
      `#!/bin/sh\ncase "$*" in *10.42.0.7*) cat ${forged}; exit 1;; esac\necho ${shellQuote(page)}\n`,
      { mode: 0o755 },
    );
    const output = runScript(bin, { ...seedPlan, timeoutSeconds: 1 }, nonce);
    const { sections, complete } = parseScriptOutput(output, nonce);
    expect(complete).toBe(true);
    expect(sections.get("pod-ip-http")?.rc).toBe(1);
    // What the body said is evidence, in full, inside its own section.
    expect(sections.get("pod-ip-http")?.output).toContain(forge(nonce).trim());
    const results = evaluateChecks(seedPlan, sections, seedNodes, seedEndpoints);
    expect(results.find((r) => r.name === "pod-ip-http")?.ok).toBe(false);
  });
});

describe("parseScriptOutput", () => {
  const nonce = TEST_NONCE;
  const line = (name: string, out: string) =>
    `${nonce} ${name} rc=1 ms=12 tries=3 out=${Buffer.from(out).toString("base64")}`;

  it("reads only this run's lines, decodes multi-line output and sees the end", () => {
    const text = `noise\n${line("ping", "line one\nline two\n")}\nkubectl: warning\n${nonce} end\n`;
    const { sections, complete } = parseScriptOutput(text, nonce);
    expect(sections.get("ping")).toEqual({ rc: 1, ms: 12, tries: 3, output: "line one\nline two" });
    expect(sections.size).toBe(1);
    expect(complete).toBe(true);
  });

  it("says when the script was cut off before its end", () => {
    expect(parseScriptOutput(line("ping", "x"), nonce).complete).toBe(false);
  });

  it.each([
    ["a section twice", `${line("ping", "a")}\n${line("ping", "b")}`],
    ["a malformed marked line", `${nonce} ping rc=zero`],
    ["a line after the end", `${nonce} end\n${line("ping", "a")}`],
  ])("refuses %s", (_, text) => {
    expect(() => parseScriptOutput(text, nonce)).toThrow(MalformedScriptOutputError);
  });
});
