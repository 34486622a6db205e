import { describe, expect, it } from "vitest";
import { podSecurity } from "../../policy/policies";
import { check, goodPod } from "./harness";

const NGINX = "Pod nginx-server, container nginx";

describe("pod-security", () => {
  it("accepts the restricted happy path, and seccomp set on the container instead of the pod", async () => {
    expect(await check(podSecurity, goodPod())).toEqual([]);
    const containerLevel = goodPod((p) => {
      delete p.spec.securityContext;
      p.spec.containers[0].securityContext!.seccompProfile = { type: "RuntimeDefault" };
    });
    expect(await check(podSecurity, containerLevel)).toEqual([]);
  });

  it("rejects a privileged container", async () => {
    const pod = goodPod((p) => {
      p.spec.containers[0].securityContext!.privileged = true;
    });
    expect(await check(podSecurity, pod)).toEqual([
      {
        level: "mandatory",
        message: `${NGINX}: securityContext.privileged is true; accepted: false or unset.`,
      },
    ]);
  });

  it.each(["hostNetwork", "hostPID", "hostIPC"] as const)("rejects %s", async (field) => {
    const pod = goodPod((p) => {
      p.spec[field] = true;
    });
    expect((await check(podSecurity, pod)).map((v) => v.message)).toEqual([
      `Pod nginx-server: spec.${field} is true; accepted: false or unset.`,
    ]);
  });

  it("rejects a hostPath volume", async () => {
    const pod = goodPod((p) => {
      p.spec.volumes = [{ name: "root", hostPath: { path: "/" } }];
    });
    const [violation] = await check(podSecurity, pod);
    expect(violation.message).toBe(
      "Pod nginx-server: volume root is a hostPath (/); accepted: volumes that are not on the node, such as emptyDir, configMap, secret or persistentVolumeClaim.",
    );
  });

  it("rejects a hostPort", async () => {
    const pod = goodPod((p) => {
      p.spec.containers[0].ports![0].hostPort = 8080;
    });
    const [violation] = await check(podSecurity, pod);
    expect(violation.message).toBe(
      `${NGINX}: port 80 is bound to hostPort 8080; accepted: no hostPort (reach the pod through a Service).`,
    );
  });

  it("rejects allowPrivilegeEscalation unset or true", async () => {
    const unset = goodPod((p) => {
      delete p.spec.containers[0].securityContext!.allowPrivilegeEscalation;
    });
    expect((await check(podSecurity, unset)).map((v) => v.message)).toEqual([
      `${NGINX}: securityContext.allowPrivilegeEscalation is unset (which allows it); accepted: false.`,
    ]);
    const yes = goodPod((p) => {
      p.spec.containers[0].securityContext!.allowPrivilegeEscalation = true;
    });
    expect((await check(podSecurity, yes)).map((v) => v.message)).toEqual([
      `${NGINX}: securityContext.allowPrivilegeEscalation is true; accepted: false.`,
    ]);
  });

  it("rejects a missing seccomp profile, and a container that overrides the pod's with Unconfined", async () => {
    const missing = goodPod((p) => {
      delete p.spec.securityContext;
    });
    expect((await check(podSecurity, missing)).map((v) => v.message)).toEqual([
      `${NGINX}: seccomp profile is unset at pod and container level; accepted: seccompProfile.type RuntimeDefault (or Localhost) in the pod's or the container's securityContext.`,
    ]);
    const unconfined = goodPod((p) => {
      p.spec.containers[0].securityContext!.seccompProfile = { type: "Unconfined" };
    });
    const [violation] = await check(podSecurity, unconfined);
    expect(violation.message).toMatch(
      /^Pod nginx-server, container nginx: seccomp profile is Unconfined;/,
    );
  });
});
