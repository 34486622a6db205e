import { PolicyPack } from "@pulumi/policy";
import { kubernetesPolicies } from "../policies/kubernetes";

// The pack for any Kubernetes stack: `pulumi preview --policy-pack <this folder>`, with a
// `--policy-pack-config` file for the profile, the version, each rule's level and the exemptions
// by URN (policy/README.md). Constructing it starts the analyzer's gRPC server: only the CLI
// imports this file.
new PolicyPack("kubernetes-guardrails", {
  policies: kubernetesPolicies(),
  enforcementLevel: "mandatory",
});
