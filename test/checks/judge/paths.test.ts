import { describe, expect, it } from "vitest";
import { judgePath, judgeRefusedPath, witnessPath } from "../../../checks/judge/paths";
import { PathSpec } from "../../../checks/plan/paths";
import { CUT_RC, Section } from "../../../checks/probe/script";
import { witnessedPath } from "../../../checks/witness/request";
import { serverSides } from "../../../checks/witness/sides";
import { describeVerdict, logEvidence, ServerLogs } from "../../../checks/witness/witness";
import { fixture, SEED_SERVER_UID } from "../../helpers";

/** The pair's client to the walkthrough's nginx pod, as a path: every facet probed. */
const toNginx: PathSpec = {
  host: "10.42.0.7",
  port: 80,
  sections: { page: "page", identity: "who", ping: "ping", large: "large", mtu: "mtu" },
  witness: { identity: "pod-ip-identity", large: "pod-ip-large" },
  pingCount: 4,
};
const nginx = { kind: "pod" as const, name: "nginx-server", uid: SEED_SERVER_UID };
const claim = { server: "nginx-server", token: "t0k3n", sources: ["10.42.0.5"] };
const section = (output: string, rc = 0, ms = 5): Section => ({ rc, ms, tries: 1, output });

/** The walkthrough's captures as one healthy path's sections. */
function healthy(overrides: Record<string, Section> = {}): Map<string, Section> {
  return new Map(
    Object.entries({
      page: section(fixture("seeds/wget-pod-ip.txt")),
      who: section(SEED_SERVER_UID),
      ping: section(fixture("seeds/ping.txt")),
      large: section("65536", 0, 30),
      mtu: section(fixture("busybox/ping-mtu.txt")),
      ...overrides,
    }),
  );
}

describe("judgePath", () => {
  it("reads every facet of a healthy path, and claims both witnessed requests for its server", () => {
    const judged = judgePath(healthy(), toNginx, nginx, claim);
    expect(judged.outcome).toBe("pass");
    expect(judged.ms).toBe(50);
    expect(judged.http).toMatchObject({
      ok: true,
      answeredUid: SEED_SERVER_UID,
      answeredBy: "nginx-server",
    });
    expect([judged.small?.ok, judged.large?.ok, judged.full?.ok]).toEqual([true, true, true]);
    expect(judged.claims).toEqual([
      {
        probe: "pod-ip-identity",
        server: "nginx-server",
        request: {
          method: "GET",
          host: "10.42.0.7:80",
          uri: witnessedPath("/pod-to-pod/identity", "t0k3n", "pod-ip-identity"),
        },
        expect: "served",
        sources: ["10.42.0.5"],
      },
      {
        probe: "pod-ip-large",
        server: "nginx-server",
        request: {
          method: "GET",
          host: "10.42.0.7:80",
          uri: witnessedPath("/pod-to-pod/large", "t0k3n", "pod-ip-large"),
        },
        expect: "served",
        sources: ["10.42.0.5"],
      },
    ]);
  });

  it("calls a path that carries small packets and loses full-size ones an MTU black hole", () => {
    const stalled = section("stalled\n2896", 143, 5000);
    const judged = judgePath(healthy({ large: stalled }), toNginx, nginx, claim);
    expect(judged.outcome).toBe("mtu");
    // Who answered stands; the 64 KiB that never came is not claimed as served.
    expect(judged.claims.map((c) => c.probe)).toEqual(["pod-ip-identity"]);
  });

  it("makes a path where another pod answers unserved (the network carried it), and claims nothing for it", () => {
    const other = "0a0b0c0d-1111-4222-8333-444455556666";
    const judged = judgePath(healthy({ who: section(other) }), toNginx, nginx, claim);
    expect(judged.outcome).toBe("unserved");
    expect(judged.http).toMatchObject({ ok: false, failure: "wrong-server", answeredUid: other });
    expect(judged.claims).toEqual([]);
  });

  it.each([
    [
      "a redirect",
      section("  HTTP/1.1 302 Found\n  Location: http://10.42.0.9/\n  \n", 0),
      "redirect",
    ],
    ["an answer without end", section("  HTTP/1.1 200 OK\n  \ny\ny", CUT_RC), "oversized"],
  ])(
    "makes a path answered with %s unserved, not failed: something answered",
    (_, page, failure) => {
      const judged = judgePath(healthy({ page }), toNginx, nginx, claim);
      expect([judged.outcome, judged.http.failure]).toEqual(["unserved", failure]);
    },
  );

  it("fails a path where nothing answers", () => {
    const judged = judgePath(
      healthy({ page: section("", 143), ping: section(fixture("busybox/ping-loss.txt"), 1) }),
      toNginx,
      nginx,
      claim,
    );
    expect([judged.outcome, judged.http.failure]).toEqual(["fail", "timeout"]);
  });
});

describe("witnessPath", () => {
  const judged = judgePath(healthy(), toNginx, nginx, claim);
  const logged = (remote: string): ServerLogs =>
    new Map([
      [
        "nginx-server",
        new Map(
          judged.claims.map((c) => [c.probe, [{ remote, ...c.request, status: 200 }]] as const),
        ),
      ],
    ]);
  const sides = (logs: ServerLogs) =>
    serverSides(logEvidence(logs), (_, verdict) =>
      describeVerdict(verdict, "nginx-server", "busybox-client (10.42.0.5)"),
    );

  it("keeps a path its server logged exactly, from the prober, with what the log says", () => {
    const witnessed = witnessPath(judged, sides(logged("10.42.0.5")));
    expect(witnessed.outcome).toBe("pass");
    expect(witnessed.side?.state).toBe("witnessed");
    expect(witnessed.side?.notes).toBe(
      [
        "nginx-server logged it from 10.42.0.5 (GET 10.42.0.7:80/pod-to-pod/identity, status 200)",
        "nginx-server logged it from 10.42.0.5 (GET 10.42.0.7:80/pod-to-pod/large, status 200)",
      ].join("; "),
    );
  });

  it("words a side's notes only when they are read", () => {
    let worded = 0;
    const sideOf = serverSides(logEvidence(logged("10.42.0.5")), (_, verdict) => {
      worded += 1;
      return describeVerdict(verdict, "nginx-server", "busybox-client (10.42.0.5)");
    });
    const side = witnessPath(judged, sideOf).side;
    expect(worded).toBe(0);
    expect(side?.notes).toContain("nginx-server logged it from 10.42.0.5");
    expect(worded).toBe(judged.claims.length);
  });

  it("makes a path whose answer came from another sender unserved, its HTTP failed", () => {
    const witnessed = witnessPath(judged, sides(logged("10.42.1.22")));
    expect(witnessed.outcome).toBe("unserved");
    expect(witnessed.http).toMatchObject({ ok: false, failure: "other-sender" });
    expect(witnessed.side?.notes).toContain("not from busybox-client (10.42.0.5)");
  });

  it("makes a path its server never logged unserved: the answer came from elsewhere", () => {
    const witnessed = witnessPath(judged, sides(new Map([["nginx-server", new Map()]])));
    expect(witnessed.outcome).toBe("unserved");
    expect(witnessed.http.failure).toBe("not-served");
  });
});

describe("a path that must be refused", () => {
  const refused: PathSpec = {
    host: "10.42.0.7",
    port: 80,
    sections: { identity: "stranger-pod-ip" },
    witness: { identity: "stranger-pod-ip" },
    refusedWithinSeconds: 2,
  };
  const stranger = { name: "stranger-client", alive: true, egressBy: [] };
  const dropped = new Map([["stranger-pod-ip", section("", 143, 2001)]]);

  it("passes a request dropped within its bound, and claims that no server logged it", () => {
    const judged = judgeRefusedPath(dropped, refused, stranger, undefined, {
      server: "nginx-server",
      token: "s",
    });
    expect(judged.outcome).toBe("pass");
    expect(judged.refusal).toMatchObject({ ok: true, got: "dropped" });
    expect(judged.claims.map((c) => [c.probe, c.expect])).toEqual([["stranger-pod-ip", "refused"]]);
  });

  it("fails it when the server logged the request after all: it got through", () => {
    const judged = judgeRefusedPath(dropped, refused, stranger, undefined, {
      server: "nginx-server",
      token: "s",
    });
    const [sent] = judged.claims;
    const logs: ServerLogs = new Map([
      [
        "nginx-server",
        new Map([[sent.probe, [{ remote: "10.42.1.30", ...sent.request, status: 200 }]]]),
      ],
    ]);
    const witnessed = witnessPath(
      judged,
      serverSides(logEvidence(logs), (_, verdict) =>
        describeVerdict(verdict, "nginx-server", "the stranger", "the stranger's request"),
      ),
    );
    expect(witnessed.outcome).toBe("fail");
    expect(witnessed.refusal).toMatchObject({ ok: false, got: "through" });
    expect(witnessed.side?.notes).toContain("it got through");
  });

  it("proves nothing when the stranger reaches nothing at all", () => {
    const judged = judgeRefusedPath(dropped, refused, { ...stranger, alive: false }, undefined, {
      server: "nginx-server",
      token: "s",
    });
    expect(judged.refusal).toMatchObject({ ok: false, got: "nothing" });
  });

  it("proves nothing when no server stands behind the path: a Service without endpoints", () => {
    const judged = judgeRefusedPath(
      dropped,
      refused,
      stranger,
      "nginx-service has no ready endpoint",
      { server: "nginx-server", token: "s" },
    );
    expect(judged.outcome).toBe("fail");
    expect(judged.refusal).toEqual({
      ok: false,
      detail:
        "10.42.0.7:80 did not answer stranger-client, but nginx-service has no ready endpoint: the refusal proves nothing of the policies",
      got: "no-server",
    });
  });
});
