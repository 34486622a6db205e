import { CheckName, CheckResult, Verification } from "../contract/types";
import { FAIL_STROKE, mermaidText, PASS_STROKE } from "./meshRender";

/** A box of the picture: a pod, the Service or the cluster's DNS. */
type Box = "client" | "server" | "svc" | "dns" | "stranger";

/** An arrow of the picture and the checks whose verdict colours it. */
interface Arrow {
  readonly from: Box;
  readonly to: Box;
  /** How the source reaches the target, above the check names; none when the names say it. */
  readonly how?: string;
  /** The checks the arrow stands for; it is drawn when one of them is in the verdict. */
  readonly checks: readonly CheckName[];
  /** Green when any (not every) of its checks passed: the hop itself worked at least once. */
  readonly anyPasses?: boolean;
  /** Drawn dashed: traffic the policies must refuse. */
  readonly refused?: boolean;
  /** The label leaves the check names out (they are on the arrows before it). */
  readonly unnamed?: boolean;
}

const SERVICE_CHECKS: readonly CheckName[] = [
  "service-dns-http",
  "service-fqdn-http",
  "service-clusterip-http",
];

/**
 * The lab as the verdict sees it, arrow by arrow. The Service's arrow to nginx is green when any
 * request through the Service was answered by nginx: with DNS down, the ClusterIP still proves the
 * hop, and the red arrows are the client's by name and by FQDN.
 */
const ARROWS: readonly Arrow[] = [
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
    checks: SERVICE_CHECKS,
    anyPasses: true,
    unnamed: true,
  },
  { from: "client", to: "dns", checks: ["dns"] },
  {
    from: "stranger",
    to: "server",
    how: "must be refused",
    checks: ["stranger-to-pod-ip"],
    refused: true,
  },
  {
    from: "stranger",
    to: "svc",
    how: "must be refused",
    checks: ["stranger-to-service"],
    refused: true,
  },
  { from: "stranger", to: "dns", checks: ["stranger-dns"] },
];

/** The checks a box stands for itself: the client's own network, the policies that let it in. */
const BOX_CHECKS: Readonly<Record<Box, readonly CheckName[]>> = {
  client: ["pod-interface", "pod-routes"],
  server: ["policy-allows-client"],
  svc: [],
  dns: [],
  stranger: [],
};

/** Room for a node's name in a box, so that a line of the picture stays within 100 characters. */
const NAME_ROOM = 40;

function fact(check: CheckResult | undefined, key: string): string | undefined {
  const value = check?.facts?.[key];
  return value === undefined ? undefined : String(value);
}

function short(text: string): string {
  return text.length <= NAME_ROOM ? text : `${text.slice(0, NAME_ROOM - 1)}…`;
}

/** A label's lines, each made safe for Mermaid, joined by line breaks. */
function lines(...parts: (string | undefined)[]): string {
  return parts
    .filter((part): part is string => part !== undefined && part !== "")
    .map(mermaidText)
    .join("<br>");
}

/**
 * The default scenario as a Mermaid graph (GitHub renders it): the client pod, nginx's pod, the
 * Service, the cluster's DNS and, when the lab isolates itself, the stranger the policies refuse
 * (dashed). Each arrow and box is labelled with the checks it stands for, each with its result,
 * and coloured by them: green when they all passed, red when one failed. Only what the verdict
 * has checked is drawn; a verdict with no check of this scenario draws nothing. A pure function
 * of the verdict: the names in the boxes are the checks' facts (nodes, addresses).
 */
export function renderPairMermaid(verification: Verification): string[] {
  const byName = new Map(verification.checks.map((c) => [c.name, c]));
  const present = (names: readonly CheckName[]) => names.flatMap((name) => byName.get(name) ?? []);
  const verdict = (names: readonly CheckName[]) =>
    present(names).map((c) => `${c.name} ${c.ok ? "pass" : "FAIL"}`);
  const arrows = ARROWS.filter((arrow) => present(arrow.checks).length > 0);
  const boxes = (Object.keys(BOX_CHECKS) as Box[]).filter(
    (box) =>
      present(BOX_CHECKS[box]).length > 0 ||
      arrows.some((arrow) => arrow.from === box || arrow.to === box),
  );
  if (boxes.length === 0) {
    return [];
  }
  const cidr = byName.get("pod-cidr");
  const node = (key: string) => {
    const name = fact(cidr, key);
    return name === undefined ? undefined : `on ${short(name)}`;
  };
  const clientIp = fact(byName.get("pod-interface"), "address")?.replace(/\/\d+$/, "");
  const dnsServer = fact(byName.get("dns"), "server");
  const title: Record<Box, string[]> = {
    client: [clientIp ? `client pod ${clientIp}` : "client pod", node("clientNode") ?? ""],
    server: ["nginx pod", node("serverNode") ?? ""],
    svc: ["Service"],
    dns: [dnsServer ? `cluster DNS ${dnsServer}` : "cluster DNS"],
    stranger: ["stranger pod"],
  };
  const out = ["graph LR"];
  const classes: Record<"pass" | "fail", Box[]> = { pass: [], fail: [] };
  for (const box of boxes) {
    out.push(`  ${box}["${lines(...title[box], ...verdict(BOX_CHECKS[box]))}"]`);
    const own = present(BOX_CHECKS[box]);
    if (own.length > 0) {
      classes[own.every((c) => c.ok) ? "pass" : "fail"].push(box);
    }
  }
  const links: Record<"pass" | "fail", number[]> = { pass: [], fail: [] };
  arrows.forEach((arrow, index) => {
    const checks = present(arrow.checks);
    const label = lines(arrow.how, ...(arrow.unnamed ? [] : verdict(arrow.checks)));
    out.push(`  ${arrow.from} ${arrow.refused ? "-.->" : "-->"}|"${label}"| ${arrow.to}`);
    const ok = arrow.anyPasses ? checks.some((c) => c.ok) : checks.every((c) => c.ok);
    links[ok ? "pass" : "fail"].push(index);
  });
  for (const [result, fill, stroke] of [
    ["pass", "#dfd", PASS_STROKE],
    ["fail", "#fdd", FAIL_STROKE],
  ] as const) {
    if (classes[result].length > 0) {
      out.push(`  classDef ${result} fill:${fill},stroke:${stroke}`);
      out.push(`  class ${classes[result].join(",")} ${result}`);
    }
  }
  for (const [result, stroke] of [
    ["pass", PASS_STROKE],
    ["fail", FAIL_STROKE],
  ] as const) {
    if (links[result].length > 0) {
      out.push(`  linkStyle ${links[result].join(",")} stroke:${stroke},stroke-width:2px`);
    }
  }
  return out;
}
