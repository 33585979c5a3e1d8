/**
 * Gradient checks: our hand-written backward against tf.grads (autodiff) of the same forward.
 *
 * The loss is a random linear probe of every output and of the final carry,
 *   L = Σ_t Σ (y_t ⊙ R_t) + Σ_k Σ (carry_k ⊙ Q_k),
 * so ∂L/∂y_t = R_t and ∂L/∂carry = Q, and every path through the layer is exercised.
 */
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";
import { Carry, disposeAll, Layer, Params } from "../src/layer";
import { normal } from "../src/init";
import { relError } from "./helpers";

export function randn(shape: number[], seed: number, scale = 1): tf.Tensor {
  const g = normal(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = g() * scale;
  return tf.tensor(v, shape);
}

export const randSeq = (T: number, B: number, D: number, seed: number, scale = 1) =>
  Array.from({ length: T }, (_, t) => randn([B, D], seed * 1000 + t, scale) as tf.Tensor2D);

export function randCarry(layer: Layer, B: number, seed: number, scale = 0.5): Carry {
  return Object.fromEntries(
    Object.entries(layer.carrySizes).map(([k, w], i) => [
      k,
      randn([B, w], seed + i, scale) as tf.Tensor2D,
    ]),
  );
}

export interface Probe {
  R: tf.Tensor2D[];
  Q: Carry;
}

export function probe(layer: Layer, T: number, B: number, seed: number): Probe {
  return { R: randSeq(T, B, layer.outputSize, seed), Q: randCarry(layer, B, seed + 77, 1) };
}

/** L(params, xs, carry) as a scalar tensor, through `forward`. */
export function probeLoss(
  forward: (p: Params, xs: tf.Tensor2D[], carry: Carry) => { ys: tf.Tensor2D[]; carry: Carry },
  pr: Probe,
) {
  return (p: Params, xs: tf.Tensor2D[], carry: Carry): tf.Scalar => {
    const out = forward(p, xs, carry);
    let L: tf.Tensor = tf.scalar(0);
    out.ys.forEach((y, t) => (L = tf.add(L, tf.sum(tf.mul(y, pr.R[t])))));
    for (const k of Object.keys(pr.Q)) L = tf.add(L, tf.sum(tf.mul(out.carry[k], pr.Q[k])));
    return L as tf.Scalar;
  };
}

export interface GradSet {
  dParams: Params;
  dxs: tf.Tensor[];
  dCarry: Carry;
}

/** Autodiff gradients of `loss` with respect to params, inputs and initial carry. */
export function autodiff(
  loss: (p: Params, xs: tf.Tensor2D[], carry: Carry) => tf.Scalar,
  p: Params,
  xs: tf.Tensor2D[],
  carry: Carry,
): GradSet {
  const pk = Object.keys(p);
  const ck = Object.keys(carry);
  const inputs = [...pk.map((k) => p[k]), ...xs, ...ck.map((k) => carry[k])];
  const f = (...v: tf.Tensor[]) =>
    loss(
      Object.fromEntries(pk.map((k, i) => [k, v[i]])),
      v.slice(pk.length, pk.length + xs.length) as tf.Tensor2D[],
      Object.fromEntries(ck.map((k, i) => [k, v[pk.length + xs.length + i] as tf.Tensor2D])),
    );
  const g = tf.grads(f)(inputs);
  return {
    dParams: Object.fromEntries(pk.map((k, i) => [k, g[i]])),
    dxs: g.slice(pk.length, pk.length + xs.length),
    dCarry: Object.fromEntries(ck.map((k, i) => [k, g[pk.length + xs.length + i] as tf.Tensor2D])),
  };
}

/** Asserts two gradient sets agree to `tol` relative error (per tensor), naming the first that does not. */
export function expectSameGrads(ours: GradSet, ref: GradSet, tol = 1e-4, what = ""): number {
  let worst = 0;
  const cmp = (name: string, a: tf.Tensor, b: tf.Tensor) => {
    expect(a.shape, `${what} ${name} shape`).toEqual(b.shape);
    const e = relError(a.dataSync(), b.dataSync());
    worst = Math.max(worst, e);
    expect(e, `${what} ${name}: relative error`).toBeLessThanOrEqual(tol);
  };
  expect(Object.keys(ours.dParams).sort()).toEqual(Object.keys(ref.dParams).sort());
  for (const k of Object.keys(ref.dParams)) cmp(`d${k}`, ours.dParams[k], ref.dParams[k]);
  ref.dxs.forEach((d, t) => cmp(`dx[${t}]`, ours.dxs[t], d));
  for (const k of Object.keys(ref.dCarry)) cmp(`dCarry.${k}`, ours.dCarry[k], ref.dCarry[k]);
  return worst;
}

export interface CheckOptions {
  T?: number;
  B?: number;
  seed?: number;
  mask?: tf.Tensor2D;
  truncate?: number;
}

/** Full check of one layer: hand BPTT vs autodiff of the same forward. Returns the worst relative error. */
export function checkLayer(
  layer: Layer,
  { T = 5, B = 3, seed = 1, mask, truncate }: CheckOptions = {},
): number {
  return tf.tidy(() => {
    const p = layer.init(seed);
    const xs = randSeq(T, B, layer.inputSize, seed + 5);
    const carry = randCarry(layer, B, seed + 9);
    const pr = probe(layer, T, B, seed + 13);
    const pass = layer.forward(p, xs, { carry, mask });
    const g = pass.backward(pr.R, { dCarry: pr.Q, truncate });
    const ref = autodiff(
      probeLoss((pp, xx, cc) => layer.forward(pp, xx, { carry: cc, mask }), pr),
      p,
      xs,
      carry,
    );
    try {
      return expectSameGrads(g, ref, 1e-4, layer.name);
    } finally {
      // backward's gradients are tf.keep'd (they outlive the scan's own tidy), so this tidy
      // would not free them
      disposeAll(g);
      pass.dispose();
    }
  }) as unknown as number;
}
