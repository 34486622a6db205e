import { describe, expect, it } from "vitest";
import { ServiceEndpoint } from "../../../checks/probe/cluster";
import { Section } from "../../../checks/probe/script";
import { checkIdentity, ExpectedServer, judgeOwnNetwork } from "../../../checks/judge/probes";
import { fixture, SEED_SERVER_UID, seedEndpoints } from "../../helpers";

const STRANGER = "0a0b0c0d-1111-4222-8333-444455556666";
const answer = (output: string, rc = 0): Section => ({ rc, ms: 3, tries: 1, output });
const server = { name: "nginx-server", uid: SEED_SERVER_UID };
const pod: ExpectedServer = { kind: "pod", ...server };
const service = (endpoints: readonly ServiceEndpoint[] | Error): ExpectedServer => ({
  kind: "service",
  service: "nginx-service",
  endpoints,
  servers: [server],
});

describe("checkIdentity", () => {
  it("passes the nginx pod answering with its own UID, at its IP and through the Service", () => {
    expect(checkIdentity(answer(SEED_SERVER_UID), "10.42.0.7:80", pod)).toMatchObject({
      ok: true,
      detail: "answered by nginx-server (uid 6f1e2d3c)",
      answeredUid: SEED_SERVER_UID,
    });
    expect(
      checkIdentity(answer(`${SEED_SERVER_UID}\n`), "x:80", service(seedEndpoints)),
    ).toMatchObject({
      ok: true,
      detail: "answered by nginx-server (uid 6f1e2d3c) at 10.42.0.7, an endpoint of nginx-service",
    });
  });

  it("fails a server with no identity path: another nginx answers 404 there", () => {
    const outcome = checkIdentity(answer(fixture("busybox/wget-404.txt"), 1), "10.42.0.7:80", pod);
    expect(outcome).toMatchObject({ ok: false, failure: "wrong-server" });
    expect(outcome.detail).toContain("10.42.0.7:80/pod-to-pod/identity returned HTTP/1.1 404");
    expect(outcome.detail).toContain("not the lab's nginx");
  });

  it("fails an answer that is not a UID", () => {
    expect(checkIdentity(answer("<html>Welcome to nginx!</html>"), "a:80", pod)).toMatchObject({
      ok: false,
      failure: "wrong-server",
      detail:
        'a:80/pod-to-pod/identity answered "<html>Welcome to nginx!</html>", not a pod UID: not the lab\'s nginx',
    });
  });

  it("fails another pod's UID at the nginx pod's IP", () => {
    expect(checkIdentity(answer(STRANGER), "10.42.0.7:80", pod)).toMatchObject({
      ok: false,
      failure: "wrong-server",
      detail: `answered by pod uid ${STRANGER}, not nginx-server (uid ${SEED_SERVER_UID}): another pod has its address`,
    });
  });

  it("fails a Service endpoint that is not the lab's nginx pod", () => {
    const endpoints = [
      ...seedEndpoints,
      { ip: "10.42.1.9", podName: "stranger-web", podUid: STRANGER, ready: true },
    ];
    const outcome = checkIdentity(answer(STRANGER), "nginx-service:80", service(endpoints));
    expect(outcome).toMatchObject({
      ok: false,
      failure: "wrong-server",
      answeredBy: "stranger-web",
    });
    expect(outcome.detail).toContain(
      "answered by stranger-web (uid 0a0b0c0d) at 10.42.1.9, an endpoint of nginx-service but not the lab's nginx-server",
    );
  });

  it("fails when the lab's nginx answered but a second ready pod is behind the Service too", () => {
    const endpoints = [
      ...seedEndpoints,
      { ip: "10.42.1.9", podName: "stranger-web", podUid: STRANGER, ready: true },
    ];
    const outcome = checkIdentity(answer(SEED_SERVER_UID), "nginx-service:80", service(endpoints));
    expect(outcome).toMatchObject({ ok: false, failure: "wrong-server" });
    expect(outcome.detail).toBe(
      "nginx-service also sends traffic to stranger-web (uid 0a0b0c0d) at 10.42.1.9, not only to the lab's nginx-server: requests may reach another pod",
    );
    // A second pod that is not ready gets no traffic: it is no reason to fail.
    const notReady = [...seedEndpoints, { ...endpoints[1], ready: false }];
    expect(checkIdentity(answer(SEED_SERVER_UID), "nginx-service:80", service(notReady)).ok).toBe(
      true,
    );
  });

  it("fails a UID that is no endpoint of the Service, listing the endpoints", () => {
    const outcome = checkIdentity(answer(STRANGER), "nginx-service:80", service(seedEndpoints));
    expect(outcome.detail).toBe(
      `answered by pod uid ${STRANGER}, which is not an endpoint of nginx-service (its endpoints: nginx-server (uid 6f1e2d3c) at 10.42.0.7)`,
    );
  });

  it("fails, saying why, when the endpoints could not be read", () => {
    const outcome = checkIdentity(answer(SEED_SERVER_UID), "s:80", service(new Error("forbidden")));
    expect(outcome).toMatchObject({ ok: false, failure: "other" });
    expect(outcome.detail).toContain(
      "nginx-service's endpoints could not be read to check it: forbidden",
    );
  });

  it("fails a probe that produced nothing", () => {
    expect(checkIdentity(undefined, "s:80", pod)).toMatchObject({ ok: false });
  });
});

describe("judgeOwnNetwork", () => {
  const ran = (rc: number, output = ""): Section => ({ rc, ms: 3, tries: rc < 0 ? 0 : 1, output });
  const addr = ran(0, fixture("busybox/ip-addr.txt"));

  it("reads a client's eth0 from a real ip addr, and its gateway's answer", () => {
    const own = judgeOwnNetwork(
      new Map([
        ["ip-addr", addr],
        ["gateway-ping", ran(0)],
      ]),
    );
    expect(own.addr).toBe(addr);
    expect(own.eth0).toMatchObject({ name: "eth0", mtu: 1450, peerIndex: 7, up: true });
    expect(own.routes).toBeUndefined();
    expect(own.gatewayAnswers).toBe(true);
  });

  it("says the gateway does not answer only where its ping ran, and unknown where it did not", () => {
    const answers = (gateway: Section) =>
      judgeOwnNetwork(new Map([["gateway-ping", gateway]])).gatewayAnswers;
    expect(answers(ran(1))).toBe(false);
    expect(answers(ran(-1, "not run: the script's deadline"))).toBeUndefined();
    expect(judgeOwnNetwork(new Map()).gatewayAnswers).toBeUndefined();
  });
});
