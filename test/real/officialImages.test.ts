import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toEnvironment } from "../../checks/contract/environment";
import { runnerVersion } from "../../checks/runner";
import { parseVerification } from "../../checks/contract/verification";
import { DEFAULTS } from "../../config";
import { LAB_NAMES } from "../../components/names";
import { kubectlSync, mustKubectl, observePlan, waitForLab } from "../../tools/lib/kubectlLab";
import { run } from "./cli";
import { importOfficialImages, OfficialImage } from "./officialImages";

/**
 * The official images the program defaults to, as users run them (issue #30): stand-ins built from
 * Debian's packages with the official images' contract (images/build.sh nginx-official and
 * busybox-official), imported into the local cluster under the defaults' names (nginx:1.28.0,
 * busybox:1.37.0). First each image on its own, with its own entrypoint and command; then the
 * program's objects with its defaults untouched (images and pull policy), checked by the runner.
 * No engine: the objects are rendered (tools/render.ts) and applied with kubectl.
 */
const namespace = process.env.POD_TO_POD_TEST_NAMESPACE ?? "p2p-official-images";
let images: { nginx: OfficialImage; busybox: OfficialImage };

function exec(pod: string, script: string): string {
  return mustKubectl(["exec", "-n", namespace, pod, "--", "sh", "-c", script]);
}

interface PodStatus {
  spec: { containers: Array<{ image: string; imagePullPolicy: string }> };
  status: { podIP: string; containerStatuses: Array<{ image: string; imageID: string }> };
}

function pod(name: string): PodStatus {
  return JSON.parse(mustKubectl(["get", "pod", "-n", namespace, name, "-o", "json"])) as PodStatus;
}

beforeAll(() => {
  expect(process.env.KUBECONFIG, "scripts/test.sh sets KUBECONFIG").toBeTruthy();
  images = importOfficialImages();
  kubectlSync(["delete", "namespace", namespace, "--ignore-not-found", "--wait=true"]);
  mustKubectl(["create", "namespace", namespace]);
});

afterAll(() => {
  kubectlSync(["delete", "namespace", namespace, "--ignore-not-found", "--wait=true"]);
});

describe("the official images' contract, as users run them", () => {
  beforeAll(() => {
    for (const [name, image, args] of [
      ["web", images.nginx, []],
      ["shell", images.busybox, ["--", "sleep", "3600"]],
    ] as const) {
      mustKubectl([
        "run",
        "-n",
        namespace,
        name,
        `--image=${image.reference}`,
        "--image-pull-policy=IfNotPresent",
        "--restart=Never",
        ...args,
      ]);
    }
    mustKubectl([
      "wait",
      "-n",
      namespace,
      "--for=condition=Ready",
      "pod/web",
      "pod/shell",
      "--timeout=120s",
    ]);
  });

  it("nginx: its entrypoint runs /docker-entrypoint.d/ in order, then nginx serves the default page", () => {
    const log = mustKubectl(["logs", "-n", namespace, "web"]).split("\n");
    expect(log.slice(0, 8)).toEqual([
      "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
      "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
      "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
      expect.stringMatching(/^10-listen-on-ipv6-by-default\.sh: info: /),
      "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
      "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
      "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
      "/docker-entrypoint.sh: Configuration complete; ready for start up",
    ]);
    const ip = pod("web").status.podIP;
    expect(exec("shell", `wget -qO- http://${ip}/`)).toContain("<title>Welcome to nginx!</title>");
  });

  it("nginx: user nginx is uid 101 and runs the workers, conf.d/default.conf, Debian's nginx 1.22", () => {
    expect(exec("web", "id nginx").trim()).toBe("uid=101(nginx) gid=101(nginx) groups=101(nginx)");
    expect(exec("web", "ps -o user,comm | awk '$2 == \"nginx\" {print $1}' | sort -u")).toBe(
      "nginx\nroot\n",
    );
    expect(exec("web", "ls /etc/nginx/conf.d")).toBe("default.conf\n");
    expect(exec("web", "grep -c 'include /etc/nginx/conf.d/\\*.conf;' /etc/nginx/nginx.conf")).toBe(
      "1\n",
    );
    expect(exec("web", "nginx -v 2>&1")).toBe("nginx version: nginx/1.22.1\n");
    expect(exec("web", "echo $NGINX_VERSION")).toBe("1.22.1\n");
  });

  it("busybox: every applet in /bin, nobody is 65534, the shell is BusyBox's", () => {
    expect(exec("shell", "for a in sh wget ping nslookup sleep ip; do ls /bin/$a; done")).toBe(
      "/bin/sh\n/bin/wget\n/bin/ping\n/bin/nslookup\n/bin/sleep\n/bin/ip\n",
    );
    expect(exec("shell", "id nobody").trim()).toBe(
      "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)",
    );
    expect(exec("shell", "busybox | head -1")).toMatch(/^BusyBox v1\.35\.0 /);
  });

  it("both ran the stand-ins under the defaults' names, never pulled", () => {
    for (const [name, image] of [
      ["web", images.nginx],
      ["shell", images.busybox],
    ] as const) {
      expect(pod(name).status.containerStatuses[0]).toMatchObject({
        image: image.fullName,
        imageID: image.imageId,
      });
    }
  });
});

describe("the program's objects with its default images", () => {
  beforeAll(() => {
    const rendered = run("node_modules/.bin/tsx", ["tools/render.ts"], {
      RENDER_CONFIG: JSON.stringify({ "pod-to-pod:namespace": namespace }),
    });
    expect(rendered.code, rendered.stderr).toBe(0);
    kubectlSync(["delete", "pod", "-n", namespace, "web", "shell", "--wait=true"]);
    mustKubectl(["apply", "-f", "-"], rendered.stdout);
    waitForLab(namespace);
  });

  it("declares the defaults with their pull policy, and runs the stand-ins", () => {
    for (const [name, image, settings] of [
      [LAB_NAMES.serverPod, images.nginx, DEFAULTS.nginx],
      [LAB_NAMES.clientPod, images.busybox, DEFAULTS.busybox],
    ] as const) {
      const live = pod(name);
      expect(live.spec.containers[0]).toMatchObject({
        image: settings.image,
        imagePullPolicy: settings.imagePullPolicy,
      });
      expect(settings.imagePullPolicy).toBe("IfNotPresent");
      expect(live.status.containerStatuses[0].imageID).toBe(image.imageId);
    }
  });

  it("passes every check", () => {
    const plan = observePlan(namespace, { ...DEFAULTS, coverage: "pair" });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "p2p-official-")), "v.json");
    const result = run(
      "node",
      ["--import", "tsx", "checks/run.ts"],
      {
        ...toEnvironment(plan, { reportOnly: false, runnerVersion: runnerVersion() }),
        POD_TO_POD_VERIFICATION_FILE: file,
      },
      120_000,
    );
    const verification = parseVerification(fs.readFileSync(file, "utf8"));
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    expect(result.code, result.stderr).toBe(0);
    expect(verification).toMatchObject({ passed: 14, failed: 0 });
  });
});

describe("an image that cannot serve fails its image check in seconds, before its pod", () => {
  const state = process.env.POD_TO_POD_STATE ?? "/var/lib/pod-to-pod";

  it.each([
    ["the server, with busybox as its nginx", "nginx", () => images.busybox.reference, "nginx"],
    [
      "the client, with the pause image as its busybox",
      "busybox",
      () =>
        (JSON.parse(fs.readFileSync(`${state}/images.json`, "utf8")) as { pause: string }).pause,
      "sh",
    ],
  ])("%s", (_, workload, image, missing) => {
    kubectlSync(["delete", "namespace", namespace, "--ignore-not-found", "--wait=true"]);
    const rendered = run("node_modules/.bin/tsx", ["tools/render.ts"], {
      RENDER_CONFIG: JSON.stringify({
        "pod-to-pod:namespace": namespace,
        [`pod-to-pod:${workload}`]: JSON.stringify({ image: image() }),
      }),
    });
    expect(rendered.code, rendered.stderr).toBe(0);
    const list = JSON.parse(rendered.stdout) as {
      items: Array<{ kind: string; metadata: { name: string } }>;
    };
    // What `pulumi up` creates before the pods: the namespace, nginx.conf and the checks.
    list.items = list.items.filter((o) => ["Namespace", "ConfigMap", "Job"].includes(o.kind));
    const job = list.items.find(
      (o) => o.kind === "Job" && o.metadata.name.startsWith(`${workload}-image-check`),
    )!;
    const started = Date.now();
    mustKubectl(["apply", "-f", "-"], JSON.stringify(list));
    mustKubectl([
      "wait",
      "-n",
      namespace,
      "--for=condition=Failed",
      `job/${job.metadata.name}`,
      "--timeout=60s",
    ]);
    expect(Date.now() - started).toBeLessThan(30_000);
    const message = mustKubectl([
      "get",
      "pods",
      "-n",
      namespace,
      "-l",
      `job-name=${job.metadata.name}`,
      "-o",
      "jsonpath={.items[0].status.containerStatuses[0].state.terminated.message}",
    ]);
    expect(message).toContain(`exec: "${missing}": executable file not found in $PATH`);
  });
});
