import { configOf } from "./config";
import { kindOf, objectName } from "./pods";
import { ResourceValidationPolicy, ServiceSpec } from "./types";

/** Config of {@link serviceType}. */
export interface ServiceTypeConfig {
  /** Service types that expose the lab outside the cluster. */
  readonly discouragedTypes: readonly string[];
}

/** NodePort opens a port on every node; LoadBalancer asks for an external address. */
export const SERVICE_TYPE_DEFAULTS: ServiceTypeConfig = {
  discouragedTypes: ["NodePort", "LoadBalancer"],
};

/** Advisory: Services stay inside the cluster. */
export const serviceType: ResourceValidationPolicy = {
  name: "service-type",
  description:
    "Services are ClusterIP: no NodePort or LoadBalancer exposes the lab outside the cluster.",
  enforcementLevel: "advisory",
  configSchema: {
    properties: {
      discouragedTypes: {
        type: "array",
        items: { type: "string", enum: ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"] },
        description: "Service types to flag.",
        default: [...SERVICE_TYPE_DEFAULTS.discouragedTypes],
      },
    },
  },
  validateResource: (args, report) => {
    if (kindOf(args.type) !== "Service" || !args.type.startsWith("kubernetes:core/")) {
      return;
    }
    const { discouragedTypes } = configOf(args, SERVICE_TYPE_DEFAULTS);
    const type = ((args.props.spec ?? {}) as ServiceSpec).type ?? "ClusterIP";
    if (discouragedTypes.includes(type)) {
      report(
        `Service ${objectName(args)} is of type ${type}, which exposes it outside the cluster; accepted: ClusterIP (reach it from outside with kubectl port-forward or an Ingress).`,
      );
    }
  },
};
