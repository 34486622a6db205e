import { describe, expect, it } from "vitest";
import { nginxConfMapName } from "../../components/nginxConf";

describe("the name of an nginx.conf's ConfigMap", () => {
  it("is its owner's name and the conf's hash, the same in every run", () => {
    expect(nginxConfMapName("nginx-server", 80)).toMatch(/^nginx-server-conf-[0-9a-f]{10}$/);
    expect(nginxConfMapName("nginx-server", 80)).toBe(nginxConfMapName("nginx-server", 80));
  });

  it("changes with the conf, so a changed conf replaces the ConfigMap and the pod mounting it", () => {
    const names = new Set([
      nginxConfMapName("nginx-server", 80),
      nginxConfMapName("nginx-server", 8080),
      nginxConfMapName("nginx-server", 8080, [8081]),
      nginxConfMapName("lab-nginx-server", 80),
    ]);
    expect(names.size).toBe(4);
  });
});
