/**
 * Cell diagrams: one time step of the SimpleRNN, LSTM and GRU drawn as SVG with the symbols of
 * the notebooks' equations (chapters 01–04).
 *
 *   SimpleRNN  aₜ = xₜ W_xh + sₜ₋₁ W_hh + b_h,  sₜ = tanh(aₜ)
 *   LSTM       cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ,      hₜ = oₜ ⊙ tanh(cₜ)
 *   GRU        hₜ = zₜ ⊙ hₜ₋₁ + (1 − zₜ) ⊙ nₜ, nₜ = tanh(xₜ W_xn + rₜ ⊙ (hₜ₋₁ W_hn))
 *
 * A diagram is data (nodes at coordinates, wires as polylines) turned into SVG by one renderer,
 * so tests can check its geometry: every wire starts and ends on a node or at the border.
 */
import { escapeHtml, show } from "./display";

export type DiagramKind = "simple" | "lstm" | "gru";
export const DIAGRAM_KINDS: readonly DiagramKind[] = ["simple", "lstm", "gru"];

/** A node: an operation (circle: ×, +, 1−), a layer (box: σ, tanh, a product) or a label. */
export interface DiagramNode {
  id: string;
  kind: "op" | "box" | "label";
  x: number;
  y: number;
  text: string;
  /** The symbol of what the node computes (a gate's name), written beside it. */
  note?: string;
}

/** A wire: points in order, an arrow at the end; `label` is written at its midpoint. */
export interface DiagramWire {
  points: [number, number][];
  label?: string;
  /** Where the label goes relative to the wire's middle segment. */
  labelSide?: "above" | "below" | "left" | "right";
}

export interface Diagram {
  kind: DiagramKind;
  title: string;
  width: number;
  height: number;
  nodes: DiagramNode[];
  wires: DiagramWire[];
  /** Junctions: where a wire branches off another. */
  dots: [number, number][];
  caption: string;
}

const OP_R = 14; //                                                   radius of an op circle
const BOX = { w: 58, h: 34 }; //                                                  a layer box

/** Half-extent of a node in x and y (labels count as small boxes). */
export function nodeExtent(n: DiagramNode): { hx: number; hy: number } {
  if (n.kind === "op") return { hx: OP_R, hy: OP_R };
  if (n.kind === "box") return { hx: BOX.w / 2, hy: BOX.h / 2 };
  return { hx: 4 + 4.5 * [...n.text].length, hy: 9 };
}

const op = (id: string, x: number, y: number, text: string): DiagramNode => ({
  id,
  kind: "op",
  x,
  y,
  text,
});
const box = (id: string, x: number, y: number, text: string, note?: string): DiagramNode => ({
  id,
  kind: "box",
  x,
  y,
  text,
  note,
});
const label = (id: string, x: number, y: number, text: string): DiagramNode => ({
  id,
  kind: "label",
  x,
  y,
  text,
});

/** SimpleRNN: both products, their sum with the bias, then tanh. */
function simpleDiagram(): Diagram {
  return {
    kind: "simple",
    title: "SimpleRNN cell, one step",
    width: 560,
    height: 215,
    nodes: [
      label("sPrev", 40, 60, "sₜ₋₁"),
      label("x", 40, 170, "xₜ"),
      box("Whh", 150, 60, "· W_hh"),
      box("Wxh", 150, 170, "· W_xh"),
      op("sum", 260, 115, "+"),
      label("b", 196, 115, "b_h"),
      box("tanh", 350, 115, "tanh"),
      label("s", 520, 115, "sₜ"),
    ],
    wires: [
      {
        points: [
          [62, 60],
          [121, 60],
        ],
      },
      {
        points: [
          [54, 170],
          [121, 170],
        ],
      },
      {
        points: [
          [179, 60],
          [260, 60],
          [260, 101],
        ],
      },
      {
        points: [
          [179, 170],
          [260, 170],
          [260, 129],
        ],
      },
      {
        points: [
          [214, 115],
          [246, 115],
        ],
      },
      {
        points: [
          [274, 115],
          [321, 115],
        ],
        label: "aₜ",
        labelSide: "above",
      },
      {
        points: [
          [379, 115],
          [506, 115],
        ],
        label: "to yₜ and step t+1",
        labelSide: "below",
      },
    ],
    dots: [],
    caption: "aₜ = xₜ W_xh + sₜ₋₁ W_hh + b_h,  sₜ = tanh(aₜ)",
  };
}

/** LSTM: the cell-state line on top, the four gates reading [xₜ, hₜ₋₁] below. */
function lstmDiagram(): Diagram {
  const top = 60,
    gate = 230,
    bus = 290;
  return {
    kind: "lstm",
    title: "LSTM cell, one step (gate order i, f, g, o as in Wx, Wh)",
    width: 660,
    height: 340,
    nodes: [
      label("cPrev", 36, top, "cₜ₋₁"),
      op("forget", 150, top, "×"),
      op("add", 280, top, "+"),
      label("c", 620, top, "cₜ"),
      box("f", 150, gate, "σ", "fₜ"),
      box("i", 230, gate, "σ", "iₜ"),
      box("g", 330, gate, "tanh", "gₜ"),
      box("o", 440, gate, "σ", "oₜ"),
      op("write", 280, 150, "×"),
      box("tanhC", 540, 150, "tanh"),
      op("show", 540, gate, "×"),
      label("h", 620, gate, "hₜ"),
      label("hPrev", 36, bus, "hₜ₋₁"),
      label("x", 90, 326, "xₜ"),
    ],
    wires: [
      {
        points: [
          [58, top],
          [136, top],
        ],
      },
      {
        points: [
          [164, top],
          [266, top],
        ],
        label: "fₜ ⊙ cₜ₋₁",
      },
      {
        points: [
          [294, top],
          [606, top],
        ],
      },
      {
        points: [
          [540, top],
          [540, 133],
        ],
      },
      {
        points: [
          [540, 167],
          [540, 216],
        ],
      },
      {
        points: [
          [150, 213],
          [150, 74],
        ],
      },
      {
        points: [
          [230, 213],
          [230, 150],
          [266, 150],
        ],
      },
      {
        points: [
          [330, 213],
          [330, 150],
          [294, 150],
        ],
      },
      {
        points: [
          [280, 136],
          [280, 74],
        ],
        label: "iₜ ⊙ gₜ",
        labelSide: "right",
      },
      {
        points: [
          [469, gate],
          [526, gate],
        ],
      },
      {
        points: [
          [554, gate],
          [606, gate],
        ],
      },
      {
        points: [
          [58, bus],
          [440, bus],
          [440, 247],
        ],
      },
      {
        points: [
          [90, 317],
          [90, bus],
        ],
      },
      {
        points: [
          [150, bus],
          [150, 247],
        ],
      },
      {
        points: [
          [230, bus],
          [230, 247],
        ],
      },
      {
        points: [
          [330, bus],
          [330, 247],
        ],
      },
    ],
    dots: [
      [540, top],
      [90, bus],
      [150, bus],
      [230, bus],
      [330, bus],
    ],
    caption:
      "every gate reads xₜ and hₜ₋₁;  cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ,  hₜ = oₜ ⊙ tanh(cₜ);  " +
      "backwards, ∂cₜ/∂cₜ₋₁ = fₜ",
  };
}

/** GRU (reset after): the state line on top, z, r and the candidate n below. */
function gruDiagram(): Diagram {
  const top = 60,
    gate = 230,
    bus = 290;
  return {
    kind: "gru",
    title: "GRU cell, one step (reset after, the library's default)",
    width: 660,
    height: 340,
    nodes: [
      label("hPrev", 36, top, "hₜ₋₁"),
      op("keep", 130, top, "×"),
      op("add", 460, top, "+"),
      label("h", 620, top, "hₜ"),
      box("z", 130, gate, "σ", "zₜ"),
      box("r", 230, gate, "σ", "rₜ"),
      { ...op("reset", 330, gate, "×"), note: "rₜ ⊙ hₜ₋₁W_hn" },
      box("n", 460, gate, "tanh", "nₜ"),
      op("oneMinus", 300, 140, "1−"),
      op("write", 460, 140, "×"),
      label("x", 90, 326, "xₜ"),
    ],
    wires: [
      {
        points: [
          [58, top],
          [116, top],
        ],
      },
      {
        points: [
          [144, top],
          [446, top],
        ],
        label: "zₜ ⊙ hₜ₋₁",
      },
      {
        points: [
          [474, top],
          [606, top],
        ],
      },
      {
        points: [
          [44, 69],
          [44, bus],
          [330, bus],
          [330, 244],
        ],
        label: "hₜ₋₁",
      },
      {
        points: [
          [130, 213],
          [130, 74],
        ],
      },
      {
        points: [
          [130, 140],
          [286, 140],
        ],
      },
      {
        points: [
          [314, 140],
          [446, 140],
        ],
        label: "1 − zₜ",
      },
      {
        points: [
          [259, gate],
          [316, gate],
        ],
      },
      {
        points: [
          [344, gate],
          [431, gate],
        ],
      },
      {
        points: [
          [460, 213],
          [460, 154],
        ],
      },
      {
        points: [
          [460, 126],
          [460, 74],
        ],
        label: "(1 − zₜ) ⊙ nₜ",
        labelSide: "right",
      },
      {
        points: [
          [90, 317],
          [90, 310],
          [460, 310],
          [460, 247],
        ],
      },
      {
        points: [
          [130, 310],
          [130, 247],
        ],
      },
      {
        points: [
          [230, 310],
          [230, 247],
        ],
      },
    ],
    dots: [
      [130, 140],
      [130, 310],
      [230, 310],
      [130, bus],
      [230, bus],
    ],
    caption:
      "zₜ, rₜ read xₜ and hₜ₋₁;  nₜ = tanh(xₜ W_xn + b_xn + rₜ ⊙ (hₜ₋₁ W_hn + b_hn));  " +
      "hₜ = zₜ ⊙ hₜ₋₁ + (1 − zₜ) ⊙ nₜ",
  };
}

/** The diagram of one cell as data. */
export function cellDiagramData(kind: DiagramKind): Diagram {
  if (kind === "simple") return simpleDiagram();
  if (kind === "lstm") return lstmDiagram();
  if (kind === "gru") return gruDiagram();
  throw new Error(
    `cellDiagram: unknown cell "${String(kind)}"; use one of ${DIAGRAM_KINDS.join(", ")}`,
  );
}

const FONT = "font-family='DejaVu Sans, Helvetica, Arial, sans-serif'";

function labelAt(w: DiagramWire): { x: number; y: number; anchor: string } {
  const k = Math.floor((w.points.length - 1) / 2);
  const [x0, y0] = w.points[k],
    [x1, y1] = w.points[k + 1];
  const mx = (x0 + x1) / 2,
    my = (y0 + y1) / 2;
  const side = w.labelSide ?? "above";
  if (side === "above") return { x: mx, y: my - 7, anchor: "middle" };
  if (side === "below") return { x: mx, y: my + 15, anchor: "middle" };
  if (side === "left") return { x: mx - 7, y: my + 4, anchor: "end" };
  return { x: mx + 7, y: my + 4, anchor: "start" };
}

/** SVG markup of a diagram. */
export function diagramSvg(d: Diagram): string {
  const e = escapeHtml;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${d.width}" height="${d.height + 40}" ` +
      `viewBox="0 0 ${d.width} ${d.height + 40}" role="img" aria-label="${e(d.title)}">`,
    `<defs><marker id="rnnwb-arrow-${d.kind}" viewBox="0 0 10 10" refX="9" refY="5" ` +
      `markerWidth="7" markerHeight="7" orient="auto-start-reverse">` +
      `<path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>`,
    `<text x="${d.width / 2}" y="20" text-anchor="middle" font-size="15" ${FONT}>` +
      `${e(d.title)}</text>`,
  ];
  for (const w of d.wires) {
    const pts = w.points.map(([x, y]) => `${x},${y}`).join(" ");
    out.push(
      `<polyline points="${pts}" fill="none" stroke="#444" stroke-width="1.6" ` +
        `marker-end="url(#rnnwb-arrow-${d.kind})"/>`,
    );
    if (w.label) {
      const p = labelAt(w);
      out.push(
        `<text x="${p.x}" y="${p.y}" text-anchor="${p.anchor}" font-size="12" ` +
          `fill="#225" ${FONT}>${e(w.label)}</text>`,
      );
    }
  }
  for (const [x, y] of d.dots) out.push(`<circle cx="${x}" cy="${y}" r="3" fill="#444"/>`);
  for (const n of d.nodes) {
    const { hx, hy } = nodeExtent(n);
    if (n.kind === "op")
      out.push(
        `<circle cx="${n.x}" cy="${n.y}" r="${OP_R}" fill="#fde9c8" stroke="#a66" ` +
          `stroke-width="1.4"/>`,
      );
    else if (n.kind === "box")
      out.push(
        `<rect x="${n.x - hx}" y="${n.y - hy}" width="${2 * hx}" height="${2 * hy}" rx="5" ` +
          `fill="#dbe8f6" stroke="#468" stroke-width="1.4"/>`,
      );
    const size = n.kind === "label" ? 15 : 14;
    out.push(
      `<text x="${n.x}" y="${n.y + 5}" text-anchor="middle" font-size="${size}" ` +
        `${n.kind === "label" ? "font-style='italic' " : ""}${FONT}>${e(n.text)}</text>`,
    );
    if (n.note)
      out.push(
        `<text x="${n.x + hx + 4}" y="${n.y - hy - 3}" font-size="12" fill="#634" ` +
          `${FONT}>${e(n.note)}</text>`,
      );
  }
  out.push(
    `<text x="${d.width / 2}" y="${d.height + 28}" text-anchor="middle" font-size="12" ` +
      `${FONT}>${e(d.caption)}</text>`,
    "</svg>",
  );
  return out.join("\n");
}

/**
 * Shows one step of a cell as a diagram with the notebooks' symbols:
 * `rnn.cellDiagram("lstm")`. The plain-text fallback is the diagram's caption.
 */
export function cellDiagram(kind: DiagramKind): void {
  const d = cellDiagramData(kind);
  show({ "text/plain": `${d.title}: ${d.caption}`, "image/svg+xml": diagramSvg(d) });
}
