import { CheckName, Verification } from "../contract/types";
import { mermaid } from "./mermaid";

/** A box of the picture: a pod, the Service or the cluster's DNS. */
type Box = "client" | "server" | "svc" | "dns" | "stranger";

/**
 * An arrow of the picture, drawn when one of its checks is in the verdict, labelled with how the
 * source reaches the target (none when the check names say it) and the checks' results. The hop
 * `behind` the client's arrows to the Service, from the Service to nginx, is green when any (not
 * every) request through the Service was answered by nginx: with DNS down, the ClusterIP still
 * proves the hop, and the red arrows are the client's by name and by FQDN; its label leaves out
 * the names those arrows show. A hop `refused`, traffic the policies must refuse, is dashed.
 */
interface Hop {
  readonly from: Box;
  readonly to: Box;
  readonly how?: string;
  readonly checks: readonly CheckName[];
  readonly behind?: boolean;
  readonly refused?: boolean;
}

const HOPS: readonly Hop[] = [
  {
    from: "client",
    to: "server",
    how: "by pod IP",
    checks: ["pod-ip-http", "ping", "path-mtu", "pod-cidr"],
  },
  { from: "client", to: "svc", how: "by name", checks: ["service-dns-http"] },
  { from: "client", to: "svc", how: "by FQDN", checks: ["service-fqdn-http"] },
  { from: "client", to: "svc", how: "by ClusterIP", checks: ["service-clusterip-http"] },
  {
    from: "svc",
    to: "server",
    how: "to its endpoint",
    checks: ["service-dns-http", "service-fqdn-http", "service-clusterip-http"],
    behind: true,
  },
  { from: "client", to: "dns", checks: ["dns"] },
  { from: "stranger", to: "server", checks: ["stranger-to-pod-ip"], refused: true },
  { from: "stranger", to: "svc", checks: ["stranger-to-service"], refused: true },
  { from: "stranger", to: "dns", checks: ["stranger-dns"] },
];

/** The checks a box stands for itself: the client's own network, the policies that let it in. */
const BOX_CHECKS: Readonly<Partial<Record<Box, readonly CheckName[]>>> = {
  client: ["pod-interface", "pod-routes"],
  server: ["policy-allows-client"],
};

/** Room for a node's name in a box, so that a line of the picture stays within 100 characters. */
const NAME_ROOM = 40;

function short(text: string): string {
  return text.length <= NAME_ROOM ? text : `${text.slice(0, NAME_ROOM - 1)}…`;
}

/**
 * The default scenario as a Mermaid graph: the client pod, nginx's pod, the Service, the cluster's
 * DNS and, when the lab isolates itself, the stranger the policies refuse. Each arrow and box is
 * labelled with the checks it stands for, each with its result, and coloured by them: green when
 * they all passed, red when one failed. Only what the verdict has checked is drawn; a verdict with
 * no check of this scenario draws nothing. The names in the boxes are the checks' facts.
 */
export function renderPairMermaid(verification: Verification): string[] {
  const byName = new Map(verification.checks.map((c) => [c.name, c]));
  const present = (names: readonly CheckName[] = []) =>
    names.flatMap((name) => byName.get(name) ?? []);
  const named = (names: readonly CheckName[] = []) =>
    present(names).map((c) => `${c.name} ${c.ok ? "pass" : "FAIL"}`);
  const fact = (check: CheckName, key: string) => {
    const value = byName.get(check)?.facts?.[key];
    return value === undefined ? undefined : String(value);
  };
  const on = (key: string) => {
    const name = fact("pod-cidr", key);
    return name === undefined ? undefined : `on ${short(name)}`;
  };
  const clientIp = fact("pod-interface", "address")?.replace(/\/\d+$/, "");
  const dnsServer = fact("dns", "server");
  const titles: Record<Box, (string | undefined)[]> = {
    client: [clientIp ? `client pod ${clientIp}` : "client pod", on("clientNode")],
    server: ["nginx pod", on("serverNode")],
    svc: ["Service"],
    dns: [dnsServer ? `cluster DNS ${dnsServer}` : "cluster DNS"],
    stranger: ["stranger pod"],
  };
  const hops = HOPS.filter((hop) => present(hop.checks).length > 0);
  const boxes = (Object.keys(titles) as Box[]).filter(
    (box) =>
      present(BOX_CHECKS[box]).length > 0 || hops.some((hop) => hop.from === box || hop.to === box),
  );
  if (boxes.length === 0) {
    return [];
  }
  return mermaid({
    boxes: boxes.map((box) => {
      const own = present(BOX_CHECKS[box]);
      const ok = own.length > 0 ? own.every((c) => c.ok) : undefined;
      return { id: box, label: [...titles[box], ...named(BOX_CHECKS[box])], ok };
    }),
    arrows: hops.map((hop) => {
      const checks = present(hop.checks);
      return {
        from: hop.from,
        to: hop.to,
        label: [
          hop.refused ? "must be refused" : hop.how,
          ...(hop.behind ? [] : named(hop.checks)),
        ],
        dashed: hop.refused,
        ok: hop.behind ? checks.some((c) => c.ok) : checks.every((c) => c.ok),
      };
    }),
  });
}
