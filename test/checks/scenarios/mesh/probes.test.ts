import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  meshClientScript,
  MeshTarget,
  nodeProbeScript,
} from "../../../../checks/scenarios/mesh/probes";
import { buildScript, parseScriptOutput } from "../../../../checks/probe/script";
import { witnessToken } from "../../../../checks/witness/request";
import { MeshPlan } from "../../../../checks/contract/meshTypes";
import { TEST_NONCE } from "../../../helpers";
import { echoUid, meshPlan } from "./fixtures";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/**
 * Stub commands: wget answers as the echo server at 10.0.0.<i> (identity, or 70 000 bytes on the
 * large path) except at 10.0.0.9, which refuses; ping answers everything; each call is logged.
 */
function stubBin(): { bin: string; log: string } {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-script-"));
  dirs.push(bin);
  const log = path.join(bin, "calls.log");
  const write = (name: string, body: string) =>
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >>${log}\n${body}\n`, {
      mode: 0o755,
    });
  write(
    "wget",
    [
      'for url; do :; done; case "$url" in',
      '  *10.0.0.9*) echo "wget: can\'t connect to remote host (10.0.0.9): Connection refused"; exit 1 ;;',
      "  */pod-to-pod/large\\?*) head -c 70000 /dev/zero; exit 0 ;;",
      `  *10.0.0.1*) echo ${echoUid(1)} ;;`,
      `  *10.0.0.2*) echo ${echoUid(2)} ;;`,
      `  *mesh-echo*) echo ${echoUid(1)} ;;`,
      "esac",
    ].join("\n"),
  );
  write("ping", 'echo "2 packets transmitted, 2 packets received, 0% packet loss"');
  write("nslookup", 'echo "Name: $1"; echo "Address: 10.43.7.7"');
  write("ip", 'echo "default via 10.42.0.1 dev eth0"');
  // `timeout` runs what it is given, as busybox's does.
  fs.writeFileSync(path.join(bin, "timeout"), '#!/bin/sh\nshift\nexec "$@"\n', { mode: 0o755 });
  return { bin, log };
}

/** The mesh client's script on node `from`, rendered. */
function buildMeshClientScript(
  plan: MeshPlan,
  targets: readonly MeshTarget[],
  nonce: string,
  from: string,
): string {
  return buildScript(meshClientScript(plan, targets, nonce, from));
}

/** The node probe's script on node `from`, rendered. */
function buildNodeProbeScript(
  plan: MeshPlan,
  targets: readonly MeshTarget[],
  nonce: string,
  from: string,
): string {
  return buildScript(nodeProbeScript(plan, targets, nonce, from));
}

function run(script: string, bin: string) {
  const stdout = execFileSync("/bin/sh", ["-c", script], {
    env: { PATH: `${bin}:/usr/bin:/bin` },
    encoding: "utf8",
  });
  return parseScriptOutput(stdout, TEST_NONCE);
}

describe("the mesh client's script", () => {
  const targets = [
    { index: 1, node: "n2", ip: "10.0.0.1" },
    { index: 2, node: "n3", ip: "10.0.0.2" },
    { index: 5, node: "n6", ip: "10.0.0.9" },
  ];

  it("probes every target at once, and only tries full-size packets on a path that answered", () => {
    const { bin } = stubBin();
    const output = run(buildMeshClientScript(meshPlan, targets, TEST_NONCE, "n1"), bin);
    expect(output.complete).toBe(true);
    const names = [...output.sections.keys()].sort();
    expect(names).toEqual(
      [
        "dns",
        "gateway-ping",
        "ip-addr",
        "service-ready",
        "service",
        ...["pod-1", "ping-1", "large-1", "mtu-1"],
        ...["pod-2", "ping-2", "large-2", "mtu-2"],
        // 10.0.0.9 refuses HTTP: no large body is asked of it (its section says so); it answers
        // ping, so the MTU ping runs.
        ...["pod-5", "ping-5", "large-5", "mtu-5"],
      ].sort(),
    );
    expect(output.sections.get("pod-2")?.output).toBe(echoUid(2));
    expect(output.sections.get("large-1")?.output).toBe("65536");
    expect(output.sections.get("pod-5")?.rc).toBe(1);
    expect(output.sections.get("large-5")).toMatchObject({
      tries: 0,
      output: "not probed: pod-5 did not pass",
    });
    expect(output.sections.get("service")?.output).toBe(echoUid(1));
    expect(output.sections.get("service-ready")?.output).toBe(
      "name resolves: yes; http://mesh-echo:80/ serves: yes",
    );
  });

  it("sends every request to an echo server with this run's token and a probe naming sender and path", () => {
    const { bin, log } = stubBin();
    run(buildMeshClientScript(meshPlan, targets, TEST_NONCE, "n1"), bin);
    const token = witnessToken(TEST_NONCE);
    // Each URL once (the refused one is tried again, with the same name).
    const fetched = [
      ...new Set(
        fs
          .readFileSync(log, "utf8")
          .split("\n")
          .filter((line) => line.startsWith("wget"))
          .map((line) => line.split(" ").at(-1))
          // The wait for the Service asks its bare URL, unwitnessed: only readiness.
          .filter((url) => url !== "http://mesh-echo:80/"),
      ),
    ].sort();
    // Nothing carries the nonce that marks the script's own output, only the token derived from it.
    expect(fetched.join("\n")).not.toContain(TEST_NONCE);
    expect(fetched).toEqual(
      [
        `http://10.0.0.1:80/pod-to-pod/identity?pod-to-pod-run=${token}&probe=pod%2Fn1-%3En2`,
        `http://10.0.0.1:80/pod-to-pod/large?pod-to-pod-run=${token}&probe=large%2Fn1-%3En2`,
        `http://10.0.0.2:80/pod-to-pod/identity?pod-to-pod-run=${token}&probe=pod%2Fn1-%3En3`,
        `http://10.0.0.2:80/pod-to-pod/large?pod-to-pod-run=${token}&probe=large%2Fn1-%3En3`,
        `http://10.0.0.9:80/pod-to-pod/identity?pod-to-pod-run=${token}&probe=pod%2Fn1-%3En6`,
        `http://mesh-echo:80/pod-to-pod/identity?pod-to-pod-run=${token}&probe=service%2Fn1`,
      ].sort(),
    );
  });

  it("runs at most `parallelism` jobs before it waits for them", () => {
    const script = buildMeshClientScript(
      { ...meshPlan, parallelism: 2 },
      targets,
      TEST_NONCE,
      "n1",
    );
    // Six jobs (the Service, eth0, the gateway, and one per target) two at a time: three batches.
    expect(script.split("\n").filter((line) => line === "batch")).toHaveLength(2);
    expect(script.split("\n").filter((line) => line.startsWith("spawn job_"))).toHaveLength(6);
    const { bin } = stubBin();
    const output = run(script, bin);
    expect(output.complete).toBe(true);
    // Five of the client's own, four per answering target, three of the refusing one and its
    // large body's "not probed".
    expect(output.sections.size).toBe(17);
  });

  it("quotes every value and refuses a target that is not an IPv4 address", () => {
    expect(() =>
      buildMeshClientScript(
        meshPlan,
        [{ index: 0, node: "n1", ip: "10.0.0.1; reboot" }],
        TEST_NONCE,
        "n1",
      ),
    ).toThrow(/must be an IPv4 address, got "10.0.0.1; reboot"/);
    // A value with a quote reaches its command as it is, not as shell syntax.
    const { bin, log } = stubBin();
    run(buildMeshClientScript({ ...meshPlan, namespace: "it's" }, targets, TEST_NONCE, "n1"), bin);
    expect(fs.readFileSync(log, "utf8")).toContain("nslookup mesh-echo.it's.svc.cluster.local");
  });
});

describe("the wait for the mesh's Service name", () => {
  it("waits past the short bound while CoreDNS answers NXDOMAIN, and not when it does not answer at all", () => {
    for (const [answer, waits] of [
      ["NXDOMAIN", true],
      [";; connection timed out; no servers could be reached", false],
    ] as const) {
      const { bin } = stubBin();
      // The first 25 lookups (some 5 s of polling) get `answer`, the rest the Service's address.
      fs.writeFileSync(
        path.join(bin, "nslookup"),
        `#!/bin/sh
n=$(cat ${bin}/n 2>/dev/null || echo 0); echo $((n + 1)) >${bin}/n
if [ "$n" -lt 25 ]; then echo "${answer}"; exit 1; fi
echo "Name: x"; echo "Address: 10.43.7.7"
`,
        { mode: 0o755 },
      );
      const output = run(buildMeshClientScript(meshPlan, [], TEST_NONCE, "n1"), bin);
      const waited = output.sections.get("service-ready")?.ms ?? -1;
      // The short bound is 2 s (twice the timeout); NXDOMAIN may hold it up to 40 s.
      if (waits) {
        expect(waited).toBeGreaterThanOrEqual(4000);
        expect(output.sections.get("dns")?.rc).toBe(0);
      } else {
        expect(waited).toBeGreaterThanOrEqual(2000);
        expect(waited).toBeLessThan(3000);
      }
    }
  });
});

describe("the node probe's script", () => {
  it("reaches each target on the nodes' port and reads the node's links", () => {
    const { bin, log } = stubBin();
    const output = run(
      buildNodeProbeScript(meshPlan, [{ index: 2, node: "n3", ip: "10.0.0.2" }], TEST_NONCE, "n1"),
      bin,
    );
    expect([...output.sections.keys()].sort()).toEqual(["links", "node-2"]);
    expect(output.sections.get("node-2")?.output).toBe(echoUid(2));
    expect(fs.readFileSync(log, "utf8")).toContain(
      `wget -S -q -O - http://10.0.0.2:9080/pod-to-pod/identity?pod-to-pod-run=${witnessToken(TEST_NONCE)}&probe=node%2Fn1-%3En3`,
    );
  });
});
