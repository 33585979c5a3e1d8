import { describe, expect, it } from "vitest";
import {
  cellDiagram,
  cellDiagramData,
  DIAGRAM_KINDS,
  DiagramKind,
  DiagramNode,
  diagramSvg,
  nodeExtent,
} from "../../src/notebook/diagram";
import { captureOutputs } from "../helpers";

/** Distance from a point to the outline of a node (0 on the outline). */
function offOutline(n: DiagramNode, x: number, y: number): number {
  const { hx, hy } = nodeExtent(n);
  if (n.kind === "op") return Math.abs(Math.hypot(x - n.x, y - n.y) - hx);
  const dx = Math.abs(x - n.x) - hx,
    dy = Math.abs(y - n.y) - hy;
  if (dx <= 0 && dy <= 0) return Math.min(-dx, -dy); //                  inside: to the edge
  return Math.hypot(Math.max(dx, 0), Math.max(dy, 0));
}

function onSegment(p: [number, number], a: [number, number], b: [number, number]): boolean {
  const [x, y] = p;
  const within = (v: number, u: number, w: number) => v >= Math.min(u, w) && v <= Math.max(u, w);
  return (
    within(x, a[0], b[0]) &&
    within(y, a[1], b[1]) &&
    Math.abs((b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0])) < 1e-9
  );
}

/** The symbols each cell's equations use, which its diagram must show. */
const SYMBOLS: Record<DiagramKind, string[]> = {
  simple: ["sₜ₋₁", "xₜ", "sₜ", "aₜ", "W_hh", "W_xh", "b_h", "tanh"],
  lstm: ["cₜ₋₁", "cₜ", "hₜ₋₁", "hₜ", "xₜ", "iₜ", "fₜ", "gₜ", "oₜ", "σ", "tanh"],
  gru: ["hₜ₋₁", "hₜ", "xₜ", "zₜ", "rₜ", "nₜ", "W_hn", "1 − zₜ", "σ", "tanh"],
};

describe("cell diagrams", () => {
  for (const kind of DIAGRAM_KINDS) {
    const d = cellDiagramData(kind);
    const segments = d.wires.flatMap((w) =>
      w.points.slice(1).map((b, k) => [w.points[k], b] as const),
    );

    it(`${kind}: every wire ends on a node and starts on a node or on another wire`, () => {
      for (const [k, w] of d.wires.entries()) {
        const end = w.points[w.points.length - 1],
          start = w.points[0];
        const endGap = Math.min(...d.nodes.map((n) => offOutline(n, end[0], end[1])));
        const joins = segments.some(([a, b]) => !w.points.includes(a) && onSegment(end, a, b));
        expect(endGap < 1.5 || joins, `wire ${k} ends ${endGap.toFixed(1)} px from any node`).toBe(
          true,
        );
        const startsOnNode = d.nodes.some((n) => offOutline(n, start[0], start[1]) < 1.5);
        const startsOnWire = segments.some(
          ([a, b]) => !w.points.includes(a) && onSegment(start, a, b),
        );
        expect(startsOnNode || startsOnWire, `wire ${k} starts in the air`).toBe(true);
      }
    });

    it(`${kind}: nodes do not overlap and everything lies inside the picture`, () => {
      for (const [i, a] of d.nodes.entries())
        for (const b of d.nodes.slice(i + 1)) {
          const ea = nodeExtent(a),
            eb = nodeExtent(b);
          const apart =
            Math.abs(a.x - b.x) >= ea.hx + eb.hx || Math.abs(a.y - b.y) >= ea.hy + eb.hy;
          expect(apart, `${a.id} overlaps ${b.id}`).toBe(true);
        }
      const xs = d.wires.flatMap((w) => w.points.map((p) => p[0]));
      const ys = d.wires.flatMap((w) => w.points.map((p) => p[1]));
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...xs)).toBeLessThanOrEqual(d.width);
      expect(Math.min(...ys)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...ys)).toBeLessThanOrEqual(d.height);
      for (const [x, y] of d.dots)
        expect(segments.some(([a, b]) => onSegment([x, y], a, b))).toBe(true);
    });

    it(`${kind}: shows the equations' symbols, as well-formed SVG`, () => {
      const svg = diagramSvg(d);
      for (const s of SYMBOLS[kind]) expect(svg, s).toContain(s);
      expect(svg.startsWith("<svg")).toBe(true);
      const opened = (svg.match(/<(text|svg|defs|marker)\b/g) ?? []).length;
      const closed = (svg.match(/<\/(text|svg|defs|marker)>/g) ?? []).length;
      expect(closed).toBe(opened);
    });
  }

  it("shows an SVG with a text fallback; an unknown cell gets a one-line error", async () => {
    const got = await captureOutputs(() => cellDiagram("gru"));
    expect(got).toHaveLength(1);
    expect(String(got[0].bundle["image/svg+xml"])).toContain("<svg");
    expect(got[0].bundle["text/plain"]).toMatch(/^GRU cell/);
    expect(() => cellDiagram("elman" as DiagramKind)).toThrow(
      'cellDiagram: unknown cell "elman"; use one of simple, lstm, gru',
    );
  });
});
