import { describe, expect, it } from "vitest";
import { podSecurityExemptions } from "../../policy/policies";
import { BUSYBOX_URN, busyboxPod, check, goodPod, pss } from "./harness";

const capabilities = pss("pss-capabilities");
const CLIENT = "Pod busybox-client, container busybox";

/** The same busybox pod as a resource the exemption does not name. */
const OTHER_URN = "urn:pulumi:dev::pod-to-pod::kubernetes:core/v1:Pod::busybox-pod";

describe("pss-capabilities", () => {
  it("under restricted, rejects NET_RAW with what restricted accepts", async () => {
    expect(await check(capabilities, busyboxPod(), { urn: OTHER_URN })).toEqual([
      {
        level: "mandatory",
        message: `violates PodSecurity "restricted:v1.34": unrestricted capabilities (${CLIENT} adds capability NET_RAW); accepted: no added capability but NET_BIND_SERVICE (restricted).`,
      },
    ]);
  });

  it("under restricted, accepts NET_BIND_SERVICE after drop ALL, and nothing else", async () => {
    const bind = goodPod((p) => {
      p.spec.containers[0].securityContext!.capabilities = {
        drop: ["ALL"],
        add: ["NET_BIND_SERVICE"],
      };
    });
    expect(await check(capabilities, bind)).toEqual([]);
    const chown = goodPod((p) => {
      p.spec.containers[0].securityContext!.capabilities = { drop: ["ALL"], add: ["CHOWN"] };
    });
    expect((await check(capabilities, chown)).map((v) => v.message)).toEqual([
      'violates PodSecurity "restricted:v1.34": unrestricted capabilities (Pod nginx-server, container nginx adds capability CHOWN); accepted: no added capability but NET_BIND_SERVICE (restricted).',
    ]);
  });

  it("under restricted, requires drop ALL", async () => {
    const pod = goodPod((p) => {
      p.spec.containers[0].securityContext!.capabilities = { drop: ["NET_RAW"] };
    });
    expect(await check(capabilities, pod)).toEqual([
      {
        level: "mandatory",
        message:
          'violates PodSecurity "restricted:v1.34": unrestricted capabilities (Pod nginx-server, container nginx: capabilities.drop is [NET_RAW]); accepted: a drop list with "ALL" (restricted).',
      },
    ]);
  });

  it("under baseline, accepts the default set without drop ALL, and still rejects NET_RAW", async () => {
    const config = { profile: "baseline" };
    const chown = goodPod((p) => {
      p.spec.containers[0].securityContext!.capabilities = { add: ["CHOWN", "SETUID"] };
    });
    expect(await check(capabilities, chown, { config })).toEqual([]);
    const [violation, ...rest] = await check(capabilities, busyboxPod(), {
      urn: OTHER_URN,
      config,
    });
    expect(rest).toEqual([]);
    expect(violation.message).toBe(
      `violates PodSecurity "baseline:v1.34": non-default capabilities (${CLIENT} adds capability NET_RAW); accepted: only the baseline's AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT.`,
    );
  });

  describe("with the busybox exemption", () => {
    it("leaves NET_RAW of the exempted container to the exemption's one advisory finding", async () => {
      expect(await check(capabilities, busyboxPod(), { urn: BUSYBOX_URN })).toEqual([]);
      expect(await check(podSecurityExemptions, busyboxPod(), { urn: BUSYBOX_URN })).toEqual([
        {
          level: "advisory",
          message: `${CLIENT} may add NET_RAW (pss-capabilities) and run as root (pss-run-as-non-root, pss-run-as-user): exempt as pod-to-pod:index:PodToPodLab$pod-to-pod:lab:BusyboxClient$kubernetes:core/v1:Pod in policy/policies/podSecurity/exemptions.ts, because busybox ping opens a raw ICMP socket, which needs NET_RAW, and only root can use an added capability (Kubernetes grants a non-root process no ambient capabilities).`,
        },
      ]);
    });

    it("grants nothing to a pod that only carries busybox's labels and name", async () => {
      expect(await check(capabilities, busyboxPod(), { urn: OTHER_URN })).toHaveLength(1);
      expect(await check(podSecurityExemptions, busyboxPod(), { urn: OTHER_URN })).toEqual([]);
    });

    it("grants nothing beyond NET_RAW, nor to another container of the pod", async () => {
      const pod = busyboxPod((p) => {
        p.spec.containers[0].securityContext!.capabilities!.add = ["NET_RAW", "SYS_ADMIN"];
        p.spec.containers.push({
          ...p.spec.containers[0],
          name: "sidecar",
          securityContext: {
            ...p.spec.containers[0].securityContext,
            capabilities: { drop: ["ALL"], add: ["NET_RAW"] },
          },
        });
      });
      expect((await check(capabilities, pod, { urn: BUSYBOX_URN })).map((v) => v.message)).toEqual([
        `violates PodSecurity "restricted:v1.34": unrestricted capabilities (${CLIENT} adds capability SYS_ADMIN); accepted: no added capability but NET_BIND_SERVICE (restricted).`,
        'violates PodSecurity "restricted:v1.34": unrestricted capabilities (Pod busybox-client, container sidecar adds capability NET_RAW); accepted: no added capability but NET_BIND_SERVICE (restricted).',
      ]);
    });
  });
});
