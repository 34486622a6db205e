import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { BusyboxClient, NginxServer, toolsCheck } from "../../components";
import { installMocks, promiseOf, registered } from "./mocks";

/** Each lab pod's image checked first, by a Job in the pod's own spec (components/imageCheck.ts). */
beforeAll(async () => {
  await installMocks();
  pulumi.runtime.setAllConfig({}, []);
  const resources = {
    requests: { cpu: "10m", memory: "8Mi" },
    limits: { cpu: "100m", memory: "32Mi" },
  };
  const server = new NginxServer("web", {
    namespace: "lab",
    image: "nginx:1.28.0",
    imagePullPolicy: "IfNotPresent",
    port: 80,
    resources,
    readyTimeoutSeconds: 120,
  });
  const client = new BusyboxClient("probe", {
    namespace: "lab",
    image: "busybox:1.37.0",
    imagePullPolicy: "IfNotPresent",
    resources,
    readyTimeoutSeconds: 120,
  });
  await Promise.all([promiseOf(server.podIp), promiseOf(client.podIp)]);
});

function job(name: string) {
  const found = registered.filter((r) => r.type === "kubernetes:batch/v1:Job" && r.name === name);
  expect(found, name).toHaveLength(1);
  return found[0];
}

function pod(name: string) {
  return registered.find((r) => r.type === "kubernetes:core/v1:Pod" && r.name === name)!;
}

describe("the image checks", () => {
  it("run nginx -t with the server's own flags, spec and user, once, with no restart or probe", () => {
    const check = job("web-image-check");
    const server = pod("web-pod");
    // A fixed name: the same in every preview, and claimed like the lab's other objects.
    expect(check.inputs.metadata.name).toBe("nginx-image-check");
    expect(job("probe-image-check").inputs.metadata.name).toBe("busybox-image-check");
    const container = check.inputs.spec.template.spec.containers[0];
    expect(check.inputs.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 120 });
    expect(check.inputs.spec.template.spec.restartPolicy).toBe("Never");
    expect(container.command).toEqual([
      "nginx",
      "-e",
      "stderr",
      "-c",
      "/etc/pod-to-pod-nginx/nginx.conf",
      "-t",
      "-q",
    ]);
    expect(container.command.slice(0, 5)).toEqual(server.inputs.spec.containers[0].command);
    expect(container.readinessProbe).toBeUndefined();
    expect(container.livenessProbe).toBeUndefined();
    expect(container.terminationMessagePolicy).toBe("FallbackToLogsOnError");
    expect(container.env).toEqual([{ name: "POD_TO_POD_IMAGE", value: "nginx:1.28.0" }]);
    expect(container.securityContext).toEqual(server.inputs.spec.containers[0].securityContext);
    expect(container.volumeMounts).toEqual(server.inputs.spec.containers[0].volumeMounts);
    expect(check.inputs.spec.template.spec.securityContext).toEqual(
      server.inputs.spec.securityContext,
    );
    expect(check.inputs.spec.template.spec.volumes).toEqual(server.inputs.spec.volumes);
  });

  it("check the client's tools as nobody, with the client's image and pull policy", () => {
    const container = job("probe-image-check").inputs.spec.template.spec.containers[0];
    expect(container).toMatchObject({ image: "busybox:1.37.0", imagePullPolicy: "IfNotPresent" });
    expect(container.command.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(container.command[2]).toContain(
      "for t in sh wget ping nslookup timeout sleep cat awk ip kill mktemp head cut wc rm grep;",
    );
    expect(job("probe-image-check").inputs.spec.template.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65534,
    });
  });

  it("are pods no Service or policy of the lab selects: their own app label", () => {
    expect(job("web-image-check").inputs.spec.template.metadata.labels.app).toBe(
      "nginx-image-check",
    );
    expect(job("probe-image-check").inputs.spec.template.metadata.labels.app).toBe(
      "busybox-image-check",
    );
  });

  it("come before their pods, which wait for them", () => {
    const index = (type: string, name: string) =>
      registered.findIndex((r) => r.type === type && r.name === name);
    expect(index("kubernetes:batch/v1:Job", "web-image-check")).toBeLessThan(
      index("kubernetes:core/v1:Pod", "web-pod"),
    );
    expect(index("kubernetes:batch/v1:Job", "probe-image-check")).toBeLessThan(
      index("kubernetes:core/v1:Pod", "probe-pod"),
    );
  });
});

describe("toolsCheck", () => {
  it("names the image and every tool it lacks, and exits 1", () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "tools-"));
    for (const tool of ["sh", "cat", "wget"]) {
      fs.symlinkSync(`/bin/${tool === "wget" ? "true" : tool}`, path.join(bin, tool));
    }
    const [shell, flag, script] = toolsCheck("the lab's client", ["sh", "cat", "wget", "ping"]);
    const result = spawnSync(`/bin/${shell}`, [flag, script], {
      env: { PATH: bin, POD_TO_POD_IMAGE: "example/tiny:1" },
      encoding: "utf8",
    });
    fs.rmSync(bin, { recursive: true, force: true });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe(
      "image example/tiny:1 cannot serve as the lab's client: it has no ping\n",
    );
  });

  it("prints nothing and exits 0 when every tool is there", () => {
    const [shell, flag, script] = toolsCheck("the lab's client", ["sh", "cat"]);
    const result = spawnSync(`/bin/${shell}`, [flag, script], {
      env: { PATH: "/usr/bin:/bin", POD_TO_POD_IMAGE: "busybox:1.37.0" },
      encoding: "utf8",
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
  });
});
