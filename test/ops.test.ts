/**
 * The cells' equations run by an engine that is not tfjs: a tracer whose values are shapes
 * and which records every operation, as a graph builder would. Every cell of the catalog
 * traces its step and its backward step with it, the shapes come out as the cell declares,
 * and not one tensor is made.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { Carry, isOuter, Params, StepRecord } from "../src/cells/cell";
import { Ops } from "../src/ops";
import { CELLS } from "./cells/catalog";

/** A traced value: its shape and the node that made it. */
interface Node {
  shape: number[];
  op: string;
  inputs: Node[];
}

function tracer() {
  const graph: Node[] = [];
  const node = (op: string, shape: number[], ...inputs: Node[]): Node => {
    const n = { shape, op, inputs };
    graph.push(n);
    return n;
  };
  const same = (op: string) => (a: Node, b: Node) => {
    const [r, c] = a.shape;
    const ok = b.shape.join() === a.shape.join() || (b.shape.length === 1 && b.shape[0] === c);
    if (!ok) throw new Error(`${op}: [${a.shape}] and [${b.shape}] do not broadcast`);
    return node(op, [r, c], a, b);
  };
  const unary = (op: string) => (a: Node) => node(op, a.shape, a);
  const ops: Ops<Node> = {
    matMul(a, b) {
      if (a.shape[1] !== b.shape[0]) throw new Error(`matMul: [${a.shape}] × [${b.shape}]`);
      return node("matMul", [a.shape[0], b.shape[1]], a, b);
    },
    add: same("add"),
    sub: same("sub"),
    mul: same("mul"),
    oneMinus: unary("oneMinus"),
    square: unary("square"),
    sigmoid: unary("sigmoid"),
    tanh: unary("tanh"),
    relu: unary("relu"),
    step: unary("step"),
    split(a, n) {
      if (a.shape[1] % n !== 0) throw new Error(`split: ${a.shape[1]} columns into ${n}`);
      return Array.from({ length: n }, () => node("split", [a.shape[0], a.shape[1] / n], a));
    },
    concat: (parts) =>
      node("concat", [parts[0].shape[0], parts.reduce((w, p) => w + p.shape[1], 0)], ...parts),
    sumRows: (a) => node("sumRows", [a.shape[1]], a),
  };
  const input = (name: string, shape: readonly number[]) => node(`input:${name}`, [...shape]);
  return { ops, graph, input };
}

describe.each(Object.entries(CELLS))("%s traced by a non-tfjs engine", (_name, make) => {
  it("step and backStep give the declared shapes and make no tensor", () => {
    const cell = make();
    const [B, D, H] = [3, cell.inputSize, cell.hiddenSize];
    const before = tf.memory().numTensors;
    const { ops, graph, input } = tracer();
    const p: Params<Node> = {};
    const pT: Params<Node> = {};
    for (const [k, s] of Object.entries(cell.shapes)) {
      p[k] = input(k, s);
      if (s.length === 2) pT[k] = input(`${k}ᵀ`, [s[1], s[0]]);
    }
    const carry = (tag: string): Carry<Node> =>
      Object.fromEntries(cell.carryNames.map((k) => [k, input(`${tag}.${k}`, [B, H])]));
    const x = input("x", [B, D]);
    const prev = carry("prev");
    const { next, cache } = cell.step(ops, p, prev, x);
    expect(Object.keys(next).sort()).toEqual([...cell.carryNames].sort());
    for (const k of cell.carryNames) expect(next[k].shape, `next.${k}`).toEqual([B, H]);
    const forwardOps = graph.length;

    const r: StepRecord<Node> = { x, prev, next, cache };
    const { dPrev, dx, dParams } = cell.backStep(ops, p, pT, r, carry("dNext"));
    expect(dx.shape).toEqual([B, D]);
    for (const k of cell.carryNames) expect(dPrev[k].shape, `dPrev.${k}`).toEqual([B, H]);
    expect(Object.keys(dParams).sort()).toEqual(Object.keys(cell.shapes).sort());
    for (const [k, g] of Object.entries(dParams)) {
      const shape = isOuter(g)
        ? g.a === null
          ? [g.b.shape[1]] //                                Σ_batch b
          : [g.a.shape[1], g.b.shape[1]] //                  aᵀ b
        : g.shape;
      expect(shape, `d${k}`).toEqual([...cell.shapes[k]]);
    }
    expect(forwardOps).toBeGreaterThan(3);
    expect(graph.length).toBeGreaterThan(forwardOps);
    // every parameter is read by the forward step
    const used = new Set(graph.flatMap((n) => n.inputs).map((n) => n.op));
    for (const k of Object.keys(cell.shapes)) expect(used.has(`input:${k}`), k).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
