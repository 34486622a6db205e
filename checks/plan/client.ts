import {
  dnsLookup,
  gatewayPing,
  httpUrl,
  IP_ADDR_ETH0,
  IP_ROUTE,
  PROBE_ATTEMPTS,
  serviceWait,
} from "../probe/commands";
import { Job } from "../probe/script";
import { pathBoundSeconds, pathJobs, PathSpec } from "./paths";

/**
 * What every client pod probes besides its paths to pods, whichever scenario it serves: a Service
 * (its paths and its name at DNS, once it answers) and its own network (eth0, its routes, its node
 * as gateway). The pair's client and every node's mesh client run these same jobs.
 */

/** A Service a client probes. */
export interface ServiceSpec {
  readonly name: string;
  readonly namespace: string;
  readonly clusterDomain: string;
  readonly port: number;
  /** The client's paths to it (by name; the pair's also by FQDN and ClusterIP). */
  readonly paths: readonly PathSpec[];
}

/** The fully qualified DNS name of a Service. */
export function fqdnOf(service: Pick<ServiceSpec, "name" | "namespace" | "clusterDomain">): string {
  return `${service.name}.${service.namespace}.svc.${service.clusterDomain}`;
}

/** How long, at most, a client waits for a new Service to answer before probing it. */
export function serviceReadyBoundMs(timeoutSeconds: number): number {
  return 2 * timeoutSeconds * 1000;
}

/**
 * The longer bound while CoreDNS answers but does not know the Service's name yet (NXDOMAIN): seen
 * here, a Service created right after a k3s restart stayed NXDOMAIN for more than 16 s.
 */
export function serviceNameLagBoundMs(timeoutSeconds: number): number {
  return Math.max(serviceReadyBoundMs(timeoutSeconds), 40_000);
}

/** The Service's job: the bounded wait for it, then every path to it and its name, side by side. */
export function serviceJob(service: ServiceSpec, token: string, timeoutSeconds: number): Job {
  const t = timeoutSeconds;
  const fqdn = fqdnOf(service);
  return [
    {
      probe: {
        name: "service-ready",
        attempts: 1,
        command: serviceWait(
          fqdn,
          httpUrl(service.name, service.port),
          serviceReadyBoundMs(t),
          serviceNameLagBoundMs(t),
        ),
      },
    },
    {
      together: [
        ...service.paths.flatMap((path) => pathJobs(path, token, t)),
        [{ probe: { name: "dns", attempts: PROBE_ATTEMPTS, command: dnsLookup(fqdn, t) } }],
      ],
    },
  ];
}

/**
 * The Service job's worst case, in seconds: the wait at its longer bound (its last round may start
 * just before it: two 2 s probes), then its slowest path.
 */
export function serviceBoundSeconds(service: ServiceSpec, timeoutSeconds: number): number {
  const slowest = Math.max(...service.paths.map((path) => pathBoundSeconds(path, timeoutSeconds)));
  return serviceNameLagBoundMs(timeoutSeconds) / 1000 + 4 + slowest;
}

/** The client's own network: eth0 (and its MTU), its routes where asked, its node as gateway. */
export function ownJobs(timeoutSeconds: number, routes: boolean): Job[] {
  return [
    [{ probe: { name: "ip-addr", attempts: 1, command: IP_ADDR_ETH0 } }],
    ...(routes ? [[{ probe: { name: "ip-route", attempts: 1, command: IP_ROUTE } }]] : []),
    [
      {
        probe: {
          name: "gateway-ping",
          attempts: PROBE_ATTEMPTS,
          command: gatewayPing(timeoutSeconds),
        },
      },
    ],
  ];
}
