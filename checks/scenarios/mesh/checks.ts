import { ClientProbes, NodeLinks } from "./paths";
import {
  FAILURES_KEPT,
  MATRIX_LETTER,
  MATRIX_NODES_KEPT,
  MeshLayout,
  NODE_TO_POD,
  MeshPath,
  MeshReport,
} from "../../contract/meshTypes";
import { serverWitnessSummary, WitnessCount, WitnessedMesh } from "./witness";
import { CheckResult } from "../../contract/types";
import { arrow, EVIDENCE_LINES, listed } from "../../judge/diagnose";
import { coveredNodes, coversOtherNodes, describeCoverage } from "./coverage";

/** A cell: its path's letter and time; `.` where this run did not probe the pair (sampled). */
function cell(path: MeshPath | undefined, probed: boolean): string {
  return !probed ? "." : path ? `${MATRIX_LETTER[path.outcome]}${path.ms}` : "-";
}

/** One node's links as a line: what a person compares when packets of full size are lost. */
export function describeLinks(links: NodeLinks | undefined): string {
  if (!links) {
    return "links unknown (no node probe)";
  }
  const parts = [
    links.nodeLink
      ? `node link ${links.nodeLink.name} mtu ${links.nodeLink.mtu}${links.ports.length > 0 ? ` (bridge ports: ${links.ports.map((p) => `${p.name} ${p.mtu}`).join(", ")})` : ""}`
      : "node link not found",
    `flannel.1 mtu ${links.flannelMtu ?? "absent"}`,
    `cni0 mtu ${links.cni0Mtu ?? "absent"}`,
  ];
  return parts.join(", ");
}

/** The stack output's view of the mesh: counts, the matrices compact, every failure in full. */
export function meshReport(layout: MeshLayout, evaluation: WitnessedMesh): MeshReport {
  const n = layout.nodes.length;
  // Looked up by pair, not searched: a thousand nodes are a million cells.
  const key = (from: string, to: string) => `${from}\n${to}`;
  const byPair = (paths: readonly MeshPath[]) => new Map(paths.map((p) => [key(p.from, p.to), p]));
  const pods = byPair(evaluation.podPaths);
  const nodes = byPair(evaluation.nodePaths);
  const covered = coveredNodes(evaluation.coverage, layout.nodes);
  const probedFrom = layout.nodes.map((from) => new Set(covered(from)));
  const row = (at: Map<string, MeshPath>, i: number, own?: string) =>
    layout.nodes
      .map((to) =>
        own !== undefined && to === layout.nodes[i]
          ? own
          : cell(at.get(key(layout.nodes[i], to)), probedFrom[i].has(to)),
      )
      .join(" ");
  const failures = [
    ...evaluation.podPaths.filter((p) => p.outcome !== "pass"),
    ...evaluation.nodePaths
      .filter((p) => p.outcome !== "pass")
      .map((p) => ({ ...p, detail: `${NODE_TO_POD}${p.detail}` })),
  ].slice(0, FAILURES_KEPT);
  const kept = n <= MATRIX_NODES_KEPT;
  return {
    nodes: layout.nodes,
    counts: {
      nodes: layout.nodes.length,
      podPaths: evaluation.podPaths.length,
      podPathsFailed: evaluation.podPaths.filter((p) => p.outcome !== "pass").length,
      nodePaths: evaluation.nodePaths.length,
      nodePathsFailed: evaluation.nodePaths.filter((p) => p.outcome !== "pass").length,
    },
    serverWitness: serverWitnessSummary(evaluation.witness),
    matrix: kept ? layout.nodes.map((_, i) => row(pods, i)) : [],
    nodeMatrix:
      !kept || (evaluation.nodePaths.length === 0 && layout.nodeProbes.size === 0)
        ? []
        : layout.nodes.map((_, i) => row(nodes, i, ".")),
    failures,
    links: Object.fromEntries(
      layout.nodes
        .filter((node) => evaluation.links.has(node))
        .map((node) => [node, describeLinks(evaluation.links.get(node))]),
    ),
  };
}

function slowest(paths: readonly MeshPath[]): string {
  const top = [...paths].sort((a, b) => b.ms - a.ms)[0];
  return top ? `, slowest ${arrow(top)} ${top.ms} ms` : "";
}

/**
 * What the echo servers' own logs said of a check's HTTP passes: every check that rests on them
 * says so, pass or fail, and names the logs that could not be read.
 */
function serverSide(count: WitnessCount, unreadable: readonly string[]): string {
  const passes = count.witnessed + count.clientsWordAlone + count.notServed;
  if (passes === 0) {
    return "";
  }
  const parts = [`the echo servers' own logs witness ${count.witnessed} of ${passes} HTTP passes`];
  if (count.notServed > 0) {
    parts.push(`${count.notServed} not served by the echo server meant`);
  }
  if (count.clientsWordAlone > 0) {
    parts.push(
      `${count.clientsWordAlone} on the client's word alone (${unreadable.join("; ") || "a log not read"})`,
    );
  }
  return `; ${parts.join(", ")}`;
}

function witnessFacts(count: WitnessCount): Record<string, number> {
  return {
    witnessed: count.witnessed,
    clientsWordAlone: count.clientsWordAlone,
    notServed: count.notServed,
  };
}

function clientCheck(
  name: "mesh-service" | "mesh-dns",
  clients: readonly ClientProbes[],
  what: string,
  witness?: { count: WitnessCount; unreadable: readonly string[] },
): CheckResult {
  const pick = (c: ClientProbes) => (name === "mesh-service" ? c.service : c.dns);
  const failed = clients.filter((c) => !pick(c).ok);
  return {
    name,
    ok: clients.length > 0 && failed.length === 0,
    ms: Math.max(0, ...clients.map((c) => pick(c).ms)),
    detail:
      (clients.length === 0
        ? "no mesh client ran"
        : failed.length === 0
          ? `${what} from all ${clients.length} nodes`
          : `${failed.length} of ${clients.length} nodes fail: ${failed
              .slice(0, EVIDENCE_LINES)
              .map((c) => `${c.node}: ${pick(c).detail}`)
              .join("; ")}`) + (witness ? serverSide(witness.count, witness.unreadable) : ""),
    facts: {
      nodes: clients.length,
      failed: failed.length,
      ...(witness ? witnessFacts(witness.count) : {}),
    },
  };
}

/** The mesh's checks: one result per kind of path, each over every node. */
export function meshChecks(
  layout: MeshLayout,
  evaluation: WitnessedMesh,
  withNodeProbes: boolean,
): CheckResult[] {
  const paths = evaluation.podPaths;
  const n = layout.nodes.length;
  const { unreadable } = evaluation.witness;
  const unreachable = paths.filter(
    (p) => p.outcome === "fail" || p.outcome === "absent" || p.outcome === "unserved",
  );
  const reachable = paths.filter((p) => p.outcome === "pass" || p.outcome === "mtu");
  const blackHoles = paths.filter((p) => p.outcome === "mtu");
  const maxMs = (list: readonly MeshPath[]) => Math.max(0, ...list.map((p) => p.ms));
  const { coverage } = evaluation;
  const sampled = coverage.pairs === "sampled";
  const results: CheckResult[] = [
    {
      name: "mesh-coverage",
      ok: n > 0 && layout.missing.length === 0,
      ms: 0,
      detail:
        (layout.missing.length === 0
          ? `${n} node${n === 1 ? "" : "s"}${n <= 12 ? ` (${layout.nodes.join(", ")})` : ""}, each with a Ready echo server, client${withNodeProbes ? " and node probe" : ""}${sampled ? `; ${describeCoverage(coverage, n)}` : ""}`
          : `the mesh does not cover every schedulable node: ${layout.missing.join("; ")}`) +
        layout.ignored.map((line) => `; ignored: ${line}`).join(""),
      facts: {
        nodes: n,
        missing: layout.missing.length,
        ignored: layout.ignored.length,
        ...(sampled
          ? {
              run: coverage.run,
              firstOffset: coverage.offsets[0],
              offsets: coverage.offsets.length,
              runsForEveryPair: coverage.runsForEveryPair,
            }
          : {}),
      },
    },
    {
      name: "mesh-pod-to-pod",
      ok: paths.length > 0 && unreachable.length === 0,
      ms: maxMs(paths),
      detail:
        (unreachable.length === 0
          ? `all ${paths.length} paths (${n} × ${coverage.offsets.length}) answer HTTP as the right echo server and ping${slowest(paths)}`
          : `${unreachable.length} of ${paths.length} paths fail: ${listed(unreachable)}`) +
        serverSide(evaluation.witness.pod, unreadable),
      facts: {
        paths: paths.length,
        failed: unreachable.length,
        ...witnessFacts(evaluation.witness.pod),
      },
    },
    {
      name: "mesh-path-mtu",
      ok: reachable.length > 0 && blackHoles.length === 0,
      ms: maxMs(reachable),
      detail:
        blackHoles.length === 0
          ? `${reachable.length} reachable paths carry 64 KiB and MTU-filling pings`
          : `${blackHoles.length} of ${reachable.length} reachable paths pass small packets and lose full-size ones: ${listed(blackHoles)}`,
      facts: { paths: reachable.length, failed: blackHoles.length },
    },
    clientCheck("mesh-service", evaluation.clients, "the Service answers as an echo server", {
      count: evaluation.witness.service,
      unreadable,
    }),
    clientCheck("mesh-dns", evaluation.clients, "the Service's name resolves to its ClusterIP"),
  ];
  if (withNodeProbes) {
    const nodePaths = evaluation.nodePaths;
    const failed = nodePaths.filter((p) => p.outcome !== "pass");
    results.push({
      name: "mesh-node-to-pod",
      ok: failed.length === 0 && (n < 2 || !coversOtherNodes(coverage) || nodePaths.length > 0),
      ms: maxMs(nodePaths),
      detail:
        (n < 2
          ? "one node: no pods on other nodes to reach"
          : !coversOtherNodes(coverage)
            ? "this run's window holds each node's own echo server alone: no pods on other nodes to reach this run"
            : failed.length === 0
              ? `every node reaches the echo servers of the other nodes${sampled ? " its window covers" : ""} from its own network namespace (${nodePaths.length} paths)${slowest(nodePaths)}`
              : `${failed.length} of ${nodePaths.length} node-to-pod paths fail: ${listed(failed)}`) +
        serverSide(evaluation.witness.node, unreadable),
      facts: {
        paths: nodePaths.length,
        failed: failed.length,
        ...witnessFacts(evaluation.witness.node),
      },
    });
  }
  return results;
}
