import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

/**
 * local-cluster/cluster.sh next to a k3s it did not make (issue #30's "never touch what is not
 * ours"): `down` removes only what its state file lists, `up` and `check-host` refuse to start
 * next to a foreign k3s, CNI bridge, Flannel device or Kubernetes chains, naming each one.
 *
 * Each case runs in a sandbox of its own network, PID and mount namespaces (`unshare`), so the
 * foreign cni0, flannel.1, chains, pods' netns and "k3s" processes it makes are its own, the
 * machine's cluster (if one runs) is neither seen nor touched, and everything goes when the
 * sandbox's last process ends. k3s's units and dirs are a fake tree (POD_TO_POD_HOST_ROOT), the
 * state and run dirs temporary ones. It needs root (namespaces, iptables) and no cluster.
 */
const CLUSTER_SH = path.join(__dirname, "..", "..", "local-cluster", "cluster.sh");
let dir: string;

beforeAll(() => {
  if (process.getuid?.() !== 0) {
    throw new Error("this test makes network namespaces and iptables chains: run it as root");
  }
});

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "t30-foreign-"));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** What the sandbox holds: links, netns, iptables chains, "k3s" and sleep processes, the fake tree. */
const LISTING = `
listing() {
  ip -o link show | awk -F': ' '{print "link " $2}' | sed 's/@.*//'
  ip netns list | awk '{print "netns " $1}'
  local cmd table
  for cmd in iptables ip6tables; do
    for table in filter nat; do
      "$cmd-save" -t "$table" | awk -v c="$cmd" -v t="$table" \\
        'substr($1, 1, 1) == ":" && $1 !~ /^:(INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING)$/ {
           print "chain " c " " t " " substr($1, 2) }'
    done
  done
  ipset list -n | sed 's/^/ipset /'
  local p
  for p in /proc/[0-9]*; do
    [[ "$(cat "$p/comm" 2>/dev/null)" =~ ^(k3s|sleep)$ ]] && echo "process $(tr '\\0' ' ' <"$p/cmdline" | sed 's/ *$//; s|.*/||')"
  done
  (cd "$T/root" && find . -mindepth 1 | sed 's|^\\./|file |')
  return 0
}`;

interface Sandbox {
  /** The exit code of the cluster.sh command. */
  code: number;
  /** Its stderr. */
  stderr: string;
  /** The bulleted findings it printed ("  - …" lines), without the bullet. */
  findings: string[];
  /** The sandbox's listing before the command, sorted. */
  before: string[];
  /** And after it. */
  after: string[];
}

/**
 * Runs `setup` (bash, with $T the temp dir and a "k3s" binary at $T/k3s), then cluster.sh with
 * `args`, in a fresh sandbox; the state file is $T/state/made when setup writes one.
 */
function sandbox(setup: string, args: string): Sandbox {
  const script = `set -euo pipefail
T=${JSON.stringify(dir)}
mkdir -p /run/netns && mount -t tmpfs tmpfs /run/netns
ip link set lo up
mkdir -p "$T/root" "$T/run"
cp /bin/sleep "$T/k3s"
${LISTING}
${setup}
listing | sort >"$T/before"
code=0
POD_TO_POD_STATE="$T/state" POD_TO_POD_RUN="$T/run" POD_TO_POD_HOST_ROOT="$T/root" \\
  POD_TO_POD_CACHE="$T/cache" PATH=/usr/sbin:/usr/bin:/sbin:/bin \\
  bash ${JSON.stringify(CLUSTER_SH)} ${args} 2>"$T/stderr" || code=$?
echo "$code" >"$T/code"
listing | sort >"$T/after"
`;
  const result = spawnSync(
    "unshare",
    ["--net", "--pid", "--mount", "--fork", "--mount-proc", "--propagation", "private", "bash"],
    { input: script, encoding: "utf8", timeout: 120_000 },
  );
  if (result.status !== 0) {
    throw new Error(`sandbox failed (${result.status}): ${result.stderr}`);
  }
  const read = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");
  const lines = (name: string) => read(name).split("\n").filter(Boolean);
  const stderr = read("stderr");
  return {
    code: Number(read("code")),
    stderr,
    findings: stderr
      .split("\n")
      .filter((line) => line.startsWith("  - "))
      .map((line) => line.slice(4)),
    before: lines("before"),
    after: lines("after"),
  };
}

/** A user's own k3s, as its install script and a running cluster leave it. */
const FOREIGN = `
mkdir -p "$T/root/etc/systemd/system" "$T/root/var/lib/rancher/k3s/server"
touch "$T/root/etc/systemd/system/k3s.service"
ip link add cni0 type bridge
ip link add flannel.1 type vxlan id 1 dstport 8472 nolearning
ip netns add cni-0f0e
ip link add veth0f0e type veth peer name eth0 netns cni-0f0e
ip link set veth0f0e master cni0
iptables -t nat -N KUBE-SERVICES
iptables -t nat -A PREROUTING -j KUBE-SERVICES
iptables -N FLANNEL-FWD
iptables -A FORWARD -j FLANNEL-FWD
iptables -N CNI-FORWARD
ip6tables -N KUBE-FORWARD
ipset create KUBE-SRC-FOREIGN hash:ip
(exec -a /usr/local/bin/k3s "$T/k3s" 3600 &)
`;

/** What check-host, up and down say of FOREIGN (the process's PID is the sandbox's, fixed). */
const FOREIGN_FINDINGS = (pid: number) => [
  `k3s process ${pid}: /usr/local/bin/k3s 3600`,
  `systemd unit ${dir}/root/etc/systemd/system/k3s.service`,
  `k3s directory ${dir}/root/var/lib/rancher/k3s`,
  "link cni0 (a CNI bridge)",
  "link flannel.1 (a Flannel VXLAN device)",
  "ip6tables filter: 1 chain(s): KUBE-FORWARD",
  "iptables filter: 2 chain(s): CNI-FORWARD FLANNEL-FWD",
  "iptables nat: 1 chain(s): KUBE-SERVICES",
];

/** The sandbox's listing of FOREIGN. */
const FOREIGN_LISTING = [
  "chain ip6tables filter KUBE-FORWARD",
  "chain iptables filter CNI-FORWARD",
  "chain iptables filter FLANNEL-FWD",
  "chain iptables nat KUBE-SERVICES",
  "file etc",
  "file etc/systemd",
  "file etc/systemd/system",
  "file etc/systemd/system/k3s.service",
  "file var",
  "file var/lib",
  "file var/lib/rancher",
  "file var/lib/rancher/k3s",
  "file var/lib/rancher/k3s/server",
  "ipset KUBE-SRC-FOREIGN",
  "link cni0",
  "link flannel.1",
  "link lo",
  "link veth0f0e",
  "netns cni-0f0e",
  "process k3s 3600",
];

/** The PID of the foreign "k3s" in the sandbox, read from what the command printed. */
function foreignPid(box: Sandbox): number {
  const match = /k3s process (\d+): \/usr\/local\/bin\/k3s 3600/.exec(box.stderr);
  if (!match) {
    throw new Error(`no foreign k3s process named in:\n${box.stderr}`);
  }
  return Number(match[1]);
}

describe("a k3s, CNI bridge, Flannel device and chains that are not ours", () => {
  it("down, with no state file, touches none of them and names each one", () => {
    const box = sandbox(FOREIGN, "down");
    expect(box.code, box.stderr).toBe(0);
    expect(box.before).toEqual(FOREIGN_LISTING);
    expect(box.after).toEqual(FOREIGN_LISTING);
    expect(box.stderr).toContain(`nothing to take down (no ${dir}/state/made)`);
    expect(box.stderr).toContain("left untouched, not ours:");
    expect(box.findings).toEqual(FOREIGN_FINDINGS(foreignPid(box)));
    expect(box.stderr).toContain("Run the cluster and its tests where no other k3s runs");
  });

  it("down removes exactly what its state file lists, and leaves the rest", () => {
    const ours = `
mkdir -p "$T/state" "$T/root/etc/rancher/k3s"
touch "$T/root/etc/rancher/k3s/k3s.yaml"
ip link add p2p-nodes type bridge
iptables -N POD-TO-POD-EGRESS
iptables -I FORWARD 1 -j POD-TO-POD-EGRESS
(exec -a k3s "$T/k3s" 3601 & echo $! >"$T/run/k3s.pid")
printf '%s\\n' "path $T/root/etc/rancher" "link p2p-nodes" "iptables POD-TO-POD-" \\
  "process $T/run/k3s.pid" >"$T/state/made"
`;
    const box = sandbox(FOREIGN + ours, "down");
    expect(box.code, box.stderr).toBe(0);
    expect(box.before).toEqual(
      [
        ...FOREIGN_LISTING,
        "chain iptables filter POD-TO-POD-EGRESS",
        "file etc/rancher",
        "file etc/rancher/k3s",
        "file etc/rancher/k3s/k3s.yaml",
        "link p2p-nodes",
        "process k3s 3601",
      ].sort(),
    );
    expect(box.after).toEqual(FOREIGN_LISTING);
    expect(box.findings).toEqual(FOREIGN_FINDINGS(foreignPid(box)));
    expect(fs.existsSync(path.join(dir, "state"))).toBe(false);
  });

  it("down stops no process whose PID a recorded file names when another program runs it now", () => {
    const box = sandbox(
      `mkdir -p "$T/state"
(exec -a not-k3s sleep 3603 & echo $! >"$T/run/k3s.pid")
printf '%s\\n' "process $T/run/k3s.pid" >"$T/state/made"`,
      "down",
    );
    expect(box.code, box.stderr).toBe(0);
    expect(box.stderr).toMatch(
      /not stopping pid \d+ of .*\/run\/k3s\.pid: it runs \/usr\/bin\/sleep, not k3s/,
    );
    expect(box.after).toEqual(["link lo", "process not-k3s 3603"]);
    expect(fs.existsSync(path.join(dir, "state"))).toBe(false);
  });

  it("up refuses to start next to them, and makes nothing", () => {
    const box = sandbox(FOREIGN, "up");
    expect(box.code).toBe(1);
    expect(box.stderr).toContain(
      "ERROR: refusing to start a cluster here: this machine has a k3s or CNI that is not ours:",
    );
    expect(box.findings).toEqual(FOREIGN_FINDINGS(foreignPid(box)));
    expect(box.stderr).toContain("nothing was started,\nstopped or deleted");
    expect(box.after).toEqual(FOREIGN_LISTING);
    expect(fs.existsSync(path.join(dir, "state"))).toBe(false);
  });

  it("check-host fails on a foreign k3s unit alone, naming it", () => {
    const box = sandbox(
      `mkdir -p "$T/root/lib/systemd/system"; touch "$T/root/lib/systemd/system/k3s-agent.service"`,
      "check-host",
    );
    expect(box.code).toBe(1);
    expect(box.findings).toEqual([`systemd unit ${dir}/root/lib/systemd/system/k3s-agent.service`]);
  });

  it("check-host fails on a foreign cni0 alone, naming it, and leaves it", () => {
    const box = sandbox("ip link add cni0 type bridge", "check-host");
    expect(box.code).toBe(1);
    expect(box.findings).toEqual(["link cni0 (a CNI bridge)"]);
    expect(box.after).toEqual(["link cni0", "link lo"]);
  });

  it("check-host passes where nothing is there", () => {
    const box = sandbox("", "check-host");
    expect(box.code, box.stderr).toBe(0);
    expect(box.stderr).toContain(
      "check-host: no k3s, CNI bridge, Flannel device or Kubernetes iptables chains but ours",
    );
  });
});

describe("our own leftovers, as a killed run leaves them", () => {
  /** Node 1's k3s network in the host's namespace, and the node network, all of them ours. */
  const LEFTOVERS = `
mkdir -p "$T/state"
ip link add p2p-nodes type bridge
iptables -N POD-TO-POD-EGRESS
iptables -I FORWARD 1 -j POD-TO-POD-EGRESS
ip link add cni0 type bridge
ip link add flannel.1 type vxlan id 1 dstport 8472 nolearning
ip netns add cni-5a5a
ip link add veth5a5a type veth peer name eth0 netns cni-5a5a
ip link set veth5a5a master cni0
iptables -t nat -N KUBE-SERVICES
iptables -t nat -A PREROUTING -j KUBE-SERVICES
iptables -N FLANNEL-FWD
iptables -A FORWARD -j FLANNEL-FWD
ipset create KUBE-SRC-OURS hash:ip
iptables -N KUBE-ROUTER-FORWARD
iptables -A KUBE-ROUTER-FORWARD -m set --match-set KUBE-SRC-OURS src -j ACCEPT
ip6tables -N KUBE-FORWARD
(exec -a k3s "$T/k3s" 3602 & echo $! >"$T/run/k3s.pid")
`;

  it.each([
    [
      "as up records them now",
      `printf '%s\\n' "link p2p-nodes" "iptables POD-TO-POD-" "process $T/run/k3s.pid" \\
        "netns cni-" "iptables KUBE-|CNI-|FLANNEL-" "ipset ^(inet6:)?KUBE-(SRC|DST)-" \\
        "link flannel.1" "link cni0" >"$T/state/made"`,
    ],
    [
      "as an earlier up recorded them (one k3s-host line)",
      `printf '%s\\n' "link p2p-nodes" "iptables POD-TO-POD-" "process $T/run/k3s.pid" \\
        k3s-host >"$T/state/made"`,
    ],
  ])("down removes every one of them, %s", (_, record) => {
    const box = sandbox(LEFTOVERS + record, "down");
    expect(box.code, box.stderr).toBe(0);
    expect(box.before).toEqual([
      "chain ip6tables filter KUBE-FORWARD",
      "chain iptables filter FLANNEL-FWD",
      "chain iptables filter KUBE-ROUTER-FORWARD",
      "chain iptables filter POD-TO-POD-EGRESS",
      "chain iptables nat KUBE-SERVICES",
      "ipset KUBE-SRC-OURS",
      "link cni0",
      "link flannel.1",
      "link lo",
      "link p2p-nodes",
      "link veth5a5a",
      "netns cni-5a5a",
      "process k3s 3602",
    ]);
    expect(box.after).toEqual(["link lo"]);
    expect(box.stderr).not.toContain("not ours");
    expect(fs.existsSync(path.join(dir, "state"))).toBe(false);
  });
});
