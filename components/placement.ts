import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Placement } from "../config";

/**
 * The client's affinity to the server for a placement: `same-node` and `different-nodes` pin the
 * walkthrough's same-node case or the cross-node case, `any` lets the scheduler choose.
 */
export function clientAffinity(
  placement: Placement,
  serverSelector: pulumi.Input<Record<string, string>>,
): k8s.types.input.core.v1.Affinity | undefined {
  const term = {
    labelSelector: { matchLabels: serverSelector },
    topologyKey: "kubernetes.io/hostname",
  };
  switch (placement) {
    case "same-node":
      return { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } };
    case "different-nodes":
      return { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } };
    case "any":
      return undefined;
  }
}
