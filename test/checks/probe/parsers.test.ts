import { describe, expect, it } from "vitest";
import {
  parseIpAddr,
  parseIpRoute,
  parseNslookup,
  parsePing,
  parseWget,
} from "../../../checks/probe/parsers";
import { CUT_RC } from "../../../checks/probe/script";
import { fixture } from "../../helpers";

describe("parseWget", () => {
  it("accepts the walkthrough's nginx page", () => {
    expect(parseWget(0, fixture("seeds/wget-pod-ip.txt"), "10.42.0.7:80")).toEqual({
      ok: true,
      detail: '"Welcome to nginx!" from 10.42.0.7:80',
    });
  });

  it("rejects a body that is not the nginx page", () => {
    const outcome = parseWget(0, "<html>It works!</html>", "10.42.0.7:80");
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toBe("unexpected-body");
    expect(outcome.detail).toContain("It works!");
  });

  it.each([
    ["wget-refused.txt", 1, "refused", "connection refused by 10.99.0.7"],
    ["wget-bad-address.txt", 1, "unresolved", "name nosuch-service did not resolve"],
    ["wget-404.txt", 1, "http-error", "returned HTTP/1.1 404 Not Found"],
    ["wget-timeout.txt", 124, "timeout", "no answer from"],
  ] as const)("reads busybox's %s (exit %d) as %s", (file, rc, failure, detail) => {
    const outcome = parseWget(rc, fixture(`busybox/${file}`), "target");
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toBe(failure);
    expect(outcome.detail).toContain(detail);
  });

  it("treats SIGTERM from timeout (143) as a timeout", () => {
    expect(parseWget(143, "", "nginx-service:80").failure).toBe("timeout");
  });

  it("reads a probe cut at the output bound as an oversized answer, naming how it began", () => {
    const outcome = parseWget(CUT_RC, "  HTTP/1.1 200 OK\n  \n" + "y\n".repeat(10), "10.42.0.9:80");
    expect(outcome).toEqual({
      ok: false,
      failure: "oversized",
      detail: `10.42.0.9:80 sent more than 256 KiB, cut there (the lab's servers answer in under 1 KiB), beginning "y y y y y y y y y y"`,
    });
  });

  it("keeps the first line of an unknown error", () => {
    const outcome = parseWget(139, "Segmentation fault\nmore", "x");
    expect(outcome).toMatchObject({ ok: false, failure: "other" });
    expect(outcome.detail).toBe("wget exited 139 for x: Segmentation fault");
  });
});

describe("parsePing", () => {
  it("reads the walkthrough's statistics", () => {
    expect(parsePing(fixture("seeds/ping.txt"))).toEqual({
      transmitted: 4,
      received: 4,
      lossPercent: 0,
      rtt: { min: 0.131, avg: 0.31, max: 0.806 },
    });
  });

  it("reads 100% loss, with no round-trip line", () => {
    expect(parsePing(fixture("busybox/ping-loss.txt"))).toEqual({
      transmitted: 2,
      received: 0,
      lossPercent: 100,
    });
  });

  it("returns undefined when ping printed no statistics", () => {
    expect(parsePing("ping: permission denied (are you root?)")).toBeUndefined();
  });
});

describe("parseIpAddr", () => {
  it("reads eth0@if16 from the walkthrough", () => {
    const eth0 = parseIpAddr(fixture("seeds/ip-addr.txt")).find((i) => i.name === "eth0");
    expect(eth0).toEqual({
      index: 2,
      name: "eth0",
      peerIndex: 16,
      mtu: 1450,
      up: true,
      mac: "7a:a6:05:2d:69:33",
      ipv4: [{ address: "10.42.0.5", prefixLength: 24 }],
    });
  });

  it("reads the loopback without a peer", () => {
    const lo = parseIpAddr(fixture("seeds/ip-addr.txt")).find((i) => i.name === "lo");
    expect(lo?.peerIndex).toBeUndefined();
    expect(lo?.ipv4).toEqual([{ address: "127.0.0.1", prefixLength: 8 }]);
  });

  it("reads a capture without brd (busybox's own ip)", () => {
    const eth0 = parseIpAddr(fixture("busybox/ip-addr.txt")).find((i) => i.name === "eth0");
    expect(eth0).toMatchObject({
      peerIndex: 7,
      mtu: 1450,
      ipv4: [{ address: "10.99.0.5", prefixLength: 24 }],
    });
  });

  it("sees an interface that is down", () => {
    const [eth0] = parseIpAddr(
      "2: eth0@if9: <BROADCAST,MULTICAST> mtu 1500 qdisc noop qlen 1000\n",
    );
    expect(eth0).toMatchObject({ name: "eth0", up: false, mtu: 1500, peerIndex: 9 });
  });
});

describe("parseIpRoute", () => {
  it("reads the walkthrough's pod routes", () => {
    expect(parseIpRoute(fixture("seeds/ip-route.txt"))).toEqual([
      { destination: "default", via: "10.42.0.1", dev: "eth0" },
      { destination: "10.42.0.0/24", dev: "eth0", scope: "link", src: "10.42.0.5" },
      { destination: "10.42.0.0/16", via: "10.42.0.1", dev: "eth0" },
    ]);
  });

  it("reads the node's route to cni0", () => {
    expect(parseIpRoute(fixture("seeds/host-ip-route-grep.txt"))).toEqual([
      { destination: "10.42.0.0/24", dev: "cni0", scope: "link", src: "10.42.0.1" },
    ]);
  });
});

describe("parseNslookup", () => {
  it("reads busybox's answer", () => {
    const output = fixture("busybox/nslookup-ok.txt");
    expect(parseNslookup(output)).toEqual({ server: "10.99.0.7", addresses: ["10.43.12.34"] });
  });

  it("reports an unreachable server", () => {
    const answer = parseNslookup(fixture("busybox/nslookup-unreachable.txt"));
    expect(answer.addresses).toEqual([]);
    expect(answer.error).toMatch(/no servers could be reached|Connection refused/);
  });

  it("reports NXDOMAIN", () => {
    expect(parseNslookup(fixture("busybox/nslookup-nxdomain.txt"))).toEqual({
      server: "10.99.0.7",
      addresses: [],
      error: "** server can't find nosuch.pod-to-pod.svc.cluster.local: NXDOMAIN",
    });
  });
});
