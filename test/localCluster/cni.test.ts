import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// local-cluster/lib/cni.sh, the pods' CNI conflist written from Flannel's subnet.env, run in bash
// against a temporary state dir: no root, no cluster, no network (jq is all it needs).

const LIB = path.join(__dirname, "..", "..", "local-cluster", "lib");
let dir: string;

function bash(script: string) {
  const result = spawnSync(
    "bash",
    [
      "-c",
      `set -euo pipefail
       source "${LIB}/common.sh"; source "${LIB}/cni.sh"
       subnet_env() { echo "${dir}/subnet.env"; }
       ${script}`,
    ],
    { env: { ...process.env, POD_TO_POD_STATE: dir, POD_TO_POD_RUN: dir }, encoding: "utf8" },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function conflist() {
  return JSON.parse(
    fs.readFileSync(path.join(dir, "cni", "net.d", "10-pod-to-pod.conflist"), "utf8"),
  );
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cni-conf-"));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("write_cni_conf", () => {
  it("turns Flannel's lease into a bridge + host-local + portmap conflist", () => {
    fs.writeFileSync(
      path.join(dir, "subnet.env"),
      "FLANNEL_NETWORK=10.42.0.0/16\nFLANNEL_SUBNET=10.42.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n",
    );
    const { code, stderr } = bash("write_cni_conf 1");
    expect(code, stderr).toBe(0);
    expect(conflist()).toEqual({
      cniVersion: "1.0.0",
      name: "pod-to-pod",
      plugins: [
        {
          type: "bridge",
          bridge: "cni0",
          isDefaultGateway: true,
          forceAddress: true,
          hairpinMode: true,
          mtu: 1450,
          ipMasq: false,
          ipam: {
            type: "host-local",
            ranges: [[{ subnet: "10.42.1.0/24", gateway: "10.42.1.1" }]],
            routes: [{ dst: "10.42.0.0/16" }],
          },
        },
        { type: "portmap", capabilities: { portMappings: true } },
      ],
    });
  });

  it("masquerades in the bridge only when Flannel does not, and takes Flannel's MTU", () => {
    fs.writeFileSync(
      path.join(dir, "subnet.env"),
      "FLANNEL_NETWORK=10.42.0.0/16\nFLANNEL_SUBNET=10.42.7.129/25\nFLANNEL_MTU=1400\nFLANNEL_IPMASQ=false\n",
    );
    const { code, stderr } = bash("write_cni_conf 1");
    expect(code, stderr).toBe(0);
    const bridge = conflist().plugins[0];
    expect(bridge.ipMasq).toBe(true);
    expect(bridge.mtu).toBe(1400);
    expect(bridge.ipam.ranges).toEqual([[{ subnet: "10.42.7.128/25", gateway: "10.42.7.129" }]]);
  });

  it("refuses a lease with a missing or malformed key, naming each key and what it got", () => {
    fs.writeFileSync(
      path.join(dir, "subnet.env"),
      "FLANNEL_NETWORK=10.42.0.0/16\nFLANNEL_SUBNET=10.42.1.1\nFLANNEL_IPMASQ=yes\n",
    );
    const { code, stderr } = bash("write_cni_conf 1");
    expect(code).not.toBe(0);
    expect(stderr).toContain("FLANNEL_SUBNET (a.b.c.d/len)");
    expect(stderr).toContain("FLANNEL_MTU (a number)");
    expect(stderr).toContain("FLANNEL_IPMASQ (true|false)");
    expect(stderr).toContain("subnet='10.42.1.1'");
    expect(stderr).toContain("ipmasq='yes'");
    expect(fs.existsSync(path.join(dir, "cni", "net.d", "10-pod-to-pod.conflist"))).toBe(false);
  });

  it("reads the lease as data: a command in it is never run", () => {
    fs.writeFileSync(
      path.join(dir, "subnet.env"),
      `FLANNEL_NETWORK=10.42.0.0/16\nFLANNEL_SUBNET=10.42.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\ntouch ${dir}/ran\n`,
    );
    expect(bash("write_cni_conf 1").code).toBe(0);
    expect(fs.existsSync(path.join(dir, "ran"))).toBe(false);
  });
});

describe("network_of", () => {
  it.each([
    ["10.42.1.1/24", "10.42.1.0/24"],
    ["10.42.7.129/25", "10.42.7.128/25"],
    ["10.0.0.1/8", "10.0.0.0/8"],
    ["192.168.240.2/32", "192.168.240.2/32"],
  ])("%s is in %s", (address, network) => {
    expect(bash(`network_of ${address}`).stdout.trim()).toBe(network);
  });
});
