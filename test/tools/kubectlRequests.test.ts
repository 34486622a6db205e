import { describe, expect, it } from "vitest";
import { requestOf } from "../../tools/lib/kubectlRequests";

// k3s v1.33's kubectl at -v=6, as captured on the local cluster.
const captured = (verb: string, url: string) =>
  `I1205 09:20:27.522291    3438 round_trippers.go:632] "Response" verb="${verb}" url="${url}" status="200 OK" milliseconds=4`;

describe("requestOf (the API requests a kubectl run sent, from its -v=6 log)", () => {
  it("names the verb and the resource of a cluster-scoped, a namespaced and a named request", () => {
    expect(requestOf(captured("GET", "https://127.0.0.1:6443/api/v1/nodes?limit=500"))).toBe(
      "GET nodes",
    );
    expect(
      requestOf(
        captured("GET", "https://127.0.0.1:6443/apis/apps/v1/namespaces/lab/daemonsets?limit=500"),
      ),
    ).toBe("GET daemonsets");
    expect(
      requestOf(
        captured("PATCH", "https://127.0.0.1:6443/api/v1/namespaces/lab/configmaps/mesh-rotation"),
      ),
    ).toBe("PATCH configmaps");
    expect(requestOf(captured("GET", "https://127.0.0.1:6443/api/v1/namespaces/lab"))).toBe(
      "GET namespaces",
    );
  });

  it("counts discovery by its path", () => {
    expect(requestOf(captured("GET", "https://127.0.0.1:6443/api?timeout=32s"))).toBe("GET /api");
    expect(requestOf(captured("GET", "https://127.0.0.1:6443/apis"))).toBe("GET /apis");
  });

  it("reads the format of kubectl before Kubernetes 1.30", () => {
    expect(
      requestOf(
        "I1205 09:20:27.522291    3438 round_trippers.go:553] GET https://127.0.0.1:6443/api/v1/namespaces/lab/pods?limit=500 200 OK in 5 milliseconds",
      ),
    ).toBe("GET pods");
  });

  it("takes no other line for a request", () => {
    expect(
      requestOf(
        "I1205 09:20:27.509191    3438 loader.go:402] Config loaded from file:  /var/lib/pod-to-pod/kubeconfig.yaml",
      ),
    ).toBeUndefined();
    expect(requestOf('error: pods "x" not found')).toBeUndefined();
  });
});
