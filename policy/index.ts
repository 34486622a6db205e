import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

// Constructing the pack starts the analyzer's gRPC server: nothing but the CLI imports this file.
// Each policy carries its own default level; policy pack config can change any of them.
new PolicyPack("pod-to-pod", { policies, enforcementLevel: "mandatory" });
