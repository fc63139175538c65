import dagre from "@dagrejs/dagre";

/**
 * Lays a graph out at generation time (so the HTML needs no script to show it) with dagre's layered
 * layout, left to right. The same input gives the same coordinates: nodes and edges are added in the
 * order given, and dagre uses no randomness.
 */

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
}

export interface LayoutEdge {
  id: string;
  from: string;
  to: string;
  /** Room for a label at the middle of the edge. */
  label?: { width: number; height: number };
}

export interface Point {
  x: number;
  y: number;
}

export interface Layout {
  width: number;
  height: number;
  /** Top-left corners. */
  nodes: Map<string, Point>;
  edges: Map<string, { points: Point[]; label?: Point }>;
}

const MARGIN = 16;

/** The part of dagre's graph used here (its bundled types leave graphlib's generics as `any`). */
interface DagreGraph {
  setGraph(label: object): void;
  setDefaultEdgeLabel(make: () => object): void;
  setNode(id: string, label: { width: number; height: number }): void;
  setEdge(from: string, to: string, label: object, name: string): void;
  graph(): { width?: number; height?: number };
  node(id: string): Point;
  edge(e: { v: string; w: string; name: string }): { points?: Point[]; x?: number; y?: number };
}

const { graphlib, layout } = dagre as unknown as {
  graphlib: { Graph: new (options: { multigraph: boolean }) => DagreGraph };
  layout: (g: DagreGraph) => void;
};

export function layoutGraph(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): Layout {
  const g = new graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 14, ranksep: 70, edgesep: 10, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of edges)
    g.setEdge(e.from, e.to, e.label ? { width: e.label.width, height: e.label.height, labelpos: "c" } : {}, e.id);
  layout(g);
  const out: Layout = {
    width: Math.ceil(g.graph().width ?? 0),
    height: Math.ceil(g.graph().height ?? 0),
    nodes: new Map(),
    edges: new Map(),
  };
  for (const n of nodes) {
    const p = g.node(n.id);
    out.nodes.set(n.id, { x: round(p.x - n.width / 2), y: round(p.y - n.height / 2) });
  }
  for (const e of edges) {
    const l = g.edge({ v: e.from, w: e.to, name: e.id });
    const points = (l.points ?? []).map((p) => ({ x: round(p.x), y: round(p.y) }));
    out.edges.set(
      e.id,
      e.label && l.x !== undefined && l.y !== undefined
        ? { points, label: { x: round(l.x), y: round(l.y) } }
        : { points },
    );
  }
  return out;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
