import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { isKubeconfigContent, kubeconfigSource } from "../../../checks/probe/kubeconfig";

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
  - name: lab
    cluster: { server: "https://127.0.0.1:6443" }
`;

describe("kubeconfigSource", () => {
  it.each([
    ["a kubeconfig", KUBECONFIG],
    ["quoted keys", '"apiVersion": v1\n"kind": Config\n"clusters": []\n'],
    ["single-quoted keys", "'clusters':\n  - name: lab\n'users': []\n"],
    ["a key the kubeconfig format has that comes first", "preferences: {}\n" + KUBECONFIG],
    ["JSON on one line", '{"apiVersion":"v1","kind":"Config","clusters":[]}'],
    ["JSON over several lines", '{\n  "apiVersion": "v1",\n  "kind": "Config"\n}\n'],
    ["a document marker first", "---\n" + KUBECONFIG],
    ["a comment first", "# the lab's cluster\n" + KUBECONFIG],
    ["a flow mapping", "{apiVersion: v1, kind: Config}"],
    ["a document YAML cannot parse", "apiVersion: v1\nclusters: [\n"],
  ])("takes %s for the kubeconfig itself, never for a path", (_, value) => {
    expect(kubeconfigSource(value)).toEqual({ kind: "content", content: value });
    expect(isKubeconfigContent(value)).toBe(true);
  });

  it.each([
    ["/home/lab/.kube/config", "/home/lab/.kube/config"],
    ["  /etc/rancher/k3s/k3s.yaml\n", "/etc/rancher/k3s/k3s.yaml"],
    ["~/.kube/lab.yaml", path.join(os.homedir(), ".kube/lab.yaml")],
    ["kubeconfig.yaml", "kubeconfig.yaml"],
    ["./lab config.yaml", "./lab config.yaml"],
    ["C:\\Users\\lab\\.kube\\config", "C:\\Users\\lab\\.kube\\config"],
    ["2024", "2024"],
  ])("takes %j for a path", (value, expected) => {
    expect(kubeconfigSource(value)).toEqual({ kind: "path", path: expected });
    expect(isKubeconfigContent(value.trim())).toBe(false);
  });

  it.each([undefined, "", " \n "])("leaves kubectl to its environment for %j", (value) => {
    expect(kubeconfigSource(value)).toEqual({ kind: "environment" });
  });
});
