/**
 * Gradient checks: a layer's hand-written BPTT against tf.grads (autodiff) of the same forward,
 * and optionally against central finite differences.
 *
 *   const r = rnn.gradcheck(rnn.unroll(rnn.lstm({ inputSize: 4, hiddenSize: 5 })), { T: 6 });
 *   r.worst          // largest relative error over all gradients; r.errors by tensor
 *
 * The loss is a random linear probe of every output and of the final carry,
 *   L = Σ_t Σ (y_t ⊙ R_t) + Σ_k Σ (carry_k ⊙ Q_k),
 * so ∂L/∂y_t = R_t and ∂L/∂carry = Q, and every path through the layer is exercised. Relative
 * error of a gradient g against a reference r: ‖g − r‖ / max(‖g‖, ‖r‖).
 * test/gradcheck.ts asserts with these same functions.
 */
import * as tf from "@tensorflow/tfjs";
import { Carry, checkSequence, disposeAll, Layer, Params, Pass } from "./layer";
import { normal } from "./init";

/** A seeded standard-normal tensor times `scale`. */
export function randn(shape: number[], seed: number, scale = 1): tf.Tensor {
  const g = normal(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = g() * scale;
  return tf.tensor(v, shape);
}

/** T seeded random inputs [B, D]. */
export const randSeq = (T: number, B: number, D: number, seed: number, scale = 1) =>
  Array.from({ length: T }, (_, t) => randn([B, D], seed * 1000 + t, scale) as tf.Tensor2D);

/** A seeded random carry for `layer` with B rows. */
export function randCarry(layer: Layer, B: number, seed: number, scale = 0.5): Carry {
  return Object.fromEntries(
    Object.entries(layer.carrySizes).map(([k, w], i) => [
      k,
      randn([B, w], seed + i, scale) as tf.Tensor2D,
    ]),
  );
}

/** The probe's weights: R_t for every output, Q_k for every part of the final carry. */
export interface Probe {
  R: tf.Tensor2D[];
  Q: Carry;
}

export function probe(layer: Layer, T: number, B: number, seed: number): Probe {
  return { R: randSeq(T, B, layer.outputSize, seed), Q: randCarry(layer, B, seed + 77, 1) };
}

export type Forward = (
  p: Params,
  xs: tf.Tensor2D[],
  carry: Carry,
) => { ys: tf.Tensor2D[]; carry: Carry };

/** L(params, xs, carry) as a scalar tensor, through `forward`. */
export function probeLoss(forward: Forward, pr: Probe) {
  return (p: Params, xs: tf.Tensor2D[], carry: Carry): tf.Scalar => {
    const out = forward(p, xs, carry);
    let L: tf.Tensor = tf.scalar(0);
    out.ys.forEach((y, t) => (L = tf.add(L, tf.sum(tf.mul(y, pr.R[t])))));
    for (const k of Object.keys(pr.Q)) L = tf.add(L, tf.sum(tf.mul(out.carry[k], pr.Q[k])));
    return L as tf.Scalar;
  };
}

/** Gradients with respect to the parameters, each input step and the initial carry. */
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
  { inputGrads = true }: { inputGrads?: boolean } = {},
): GradSet {
  const pk = Object.keys(p);
  const ck = Object.keys(carry);
  const nx = inputGrads ? xs.length : 0; //     token ids have no gradient: leave them out
  const inputs = [...pk.map((k) => p[k]), ...(inputGrads ? xs : []), ...ck.map((k) => carry[k])];
  const f = (...v: tf.Tensor[]) =>
    loss(
      Object.fromEntries(pk.map((k, i) => [k, v[i]])),
      inputGrads ? (v.slice(pk.length, pk.length + nx) as tf.Tensor2D[]) : xs,
      Object.fromEntries(ck.map((k, i) => [k, v[pk.length + nx + i] as tf.Tensor2D])),
    );
  const g = tf.grads(f)(inputs);
  return {
    dParams: Object.fromEntries(pk.map((k, i) => [k, g[i]])),
    dxs: g.slice(pk.length, pk.length + nx),
    dCarry: Object.fromEntries(ck.map((k, i) => [k, g[pk.length + nx + i] as tf.Tensor2D])),
  };
}

/** ‖a − b‖ / max(‖a‖, ‖b‖, floor), in float64; Infinity for NaN. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-12): number {
  if (a.length !== b.length)
    throw new Error(`relativeError: lengths differ (${a.length} vs ${b.length})`);
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - b[i]) ** 2;
    na += a[i] ** 2;
    nb += b[i] ** 2;
  }
  const r = Math.sqrt(d) / Math.max(Math.sqrt(na), Math.sqrt(nb), floor);
  return Number.isNaN(r) ? Infinity : r;
}

/**
 * Relative error of every tensor of `ours` against `ref`, by name (`dWx`, `dx[0]`, `dCarry.h`),
 * in the order parameters, inputs, carry. Throws if names or shapes differ.
 */
export function gradErrors(ours: GradSet, ref: GradSet): Record<string, number> {
  const a = Object.keys(ours.dParams).sort().join(", ");
  const b = Object.keys(ref.dParams).sort().join(", ");
  if (a !== b) throw new Error(`gradcheck: parameter gradients differ: [${a}] vs [${b}]`);
  const errors: Record<string, number> = {};
  const cmp = (name: string, x: tf.Tensor | undefined, y: tf.Tensor) => {
    if (!x) throw new Error(`gradcheck: ${name} is missing`);
    if (x.shape.join() !== y.shape.join())
      throw new Error(`gradcheck: ${name} has shape [${x.shape}], expected [${y.shape}]`);
    errors[name] = relativeError(x.dataSync(), y.dataSync());
  };
  for (const k of Object.keys(ref.dParams)) cmp(`d${k}`, ours.dParams[k], ref.dParams[k]);
  ref.dxs.forEach((d, t) => cmp(`dx[${t}]`, ours.dxs[t], d));
  for (const k of Object.keys(ref.dCarry)) cmp(`dCarry.${k}`, ours.dCarry[k], ref.dCarry[k]);
  return errors;
}

export interface GradcheckOptions {
  /** Sequence length. */
  T?: number;
  /** Batch size. */
  B?: number;
  /** Seed of the parameters; inputs, carry and probe use seed + 5, + 9, + 13. */
  seed?: number;
  /** [B, T] mask of real steps. */
  mask?: tf.Tensor2D;
  /**
   * Truncation k2 for our backward only (autodiff stays full BPTT): the errors then measure how
   * far the truncated gradient is from the full one.
   */
  truncate?: number;
  /**
   * Also compare ∇L·v with central finite differences along a random unit direction v of the
   * parameters, (L(θ + εv) − L(θ − εv)) / 2ε with Richardson extrapolation (ε and ε/2).
   */
  finiteDifferences?: boolean;
  /** ε of the finite differences. */
  epsilon?: number;
  /** Inputs to use instead of seeded random ones (e.g. token ids for an embedding). */
  xs?: tf.Tensor2D[];
  /** false: the inputs are not differentiable (token ids); ∂L/∂x is not compared. */
  inputGrads?: boolean;
  /** Run in training mode with this dropout seed: the masks are fixed, so L is smooth. */
  dropoutSeed?: number;
}

export interface GradcheckResult {
  /** Relative error against autodiff by gradient: `dWx`, …, `dx[0]`, …, `dCarry.h`, …. */
  errors: Record<string, number>;
  /** The largest of `errors`, and its name. */
  worst: number;
  worstName: string;
  /** |∇L·v − finite difference| / |∇L·v| (with `finiteDifferences: true`). */
  finiteDifference?: number;
}

/**
 * The hand BPTT of `layer` against tf.grads of the same forward, from seeded random parameters,
 * inputs, initial carry and probe. Returns the errors (it does not assert); frees what it makes.
 * With `truncate`, only our backward is truncated: compare against full autodiff only with
 * `truncate` ≥ T.
 */
export function gradcheck(
  layer: Layer,
  {
    T = 5,
    B = 3,
    seed = 1,
    mask,
    truncate,
    finiteDifferences = false,
    epsilon = 0.05,
    xs: given,
    inputGrads = true,
    dropoutSeed,
  }: GradcheckOptions = {},
): GradcheckResult {
  if (!Number.isInteger(T) || T <= 0)
    throw new Error(`gradcheck: T must be a positive integer (got ${T})`);
  if (!Number.isInteger(B) || B <= 0)
    throw new Error(`gradcheck: B must be a positive integer (got ${B})`);
  if (!(epsilon > 0)) throw new Error(`gradcheck: epsilon must be positive (got ${epsilon})`);
  if (given) [T, B] = [given.length, checkSequence("gradcheck", given, layer.inputSize)];
  return tf.tidy(() => {
    const p = layer.init(seed);
    const xs = given ?? randSeq(T, B, layer.inputSize, seed + 5);
    const train = dropoutSeed === undefined ? undefined : { seed: dropoutSeed };
    const carry = randCarry(layer, B, seed + 9);
    const pr = probe(layer, T, B, seed + 13);
    const passes: Pass[] = []; //    a Pass keeps tensors beyond tidy until pass.dispose()
    const forward = (pp: Params, xx: tf.Tensor2D[], cc: Carry): Pass => {
      const ps = layer.forward(pp, xx, { carry: cc, mask, train });
      passes.push(ps);
      return ps;
    };
    const pass = forward(p, xs, carry);
    const ours = pass.backward(pr.R, { dCarry: pr.Q, truncate });
    const loss = probeLoss(forward, pr);
    const mine = inputGrads ? ours : { ...ours, dxs: [] };
    const errors = gradErrors(mine, autodiff(loss, p, xs, carry, { inputGrads }));
    let worst = -Infinity;
    let worstName = "";
    for (const [k, e] of Object.entries(errors))
      if (e > worst || Number.isNaN(e)) [worst, worstName] = [e, k];
    const result: GradcheckResult = { errors, worst, worstName };
    if (finiteDifferences) {
      const keys = Object.keys(p);
      const dir = Object.fromEntries(keys.map((k, i) => [k, randn(p[k].shape, seed + 17 + i)]));
      let len2 = 0;
      for (const k of keys) len2 += tf.sum(tf.square(dir[k])).dataSync()[0];
      const len = Math.sqrt(len2);
      const at = (e: number) =>
        tf.tidy(() => {
          const moved = Object.fromEntries(
            keys.map((k) => [k, tf.add(p[k], tf.mul(dir[k], e / len))]),
          );
          return loss(moved, xs, carry).dataSync()[0];
        });
      const central = (e: number) => (at(e) - at(-e)) / (2 * e);
      const fd = (4 * central(epsilon / 2) - central(epsilon)) / 3;
      let dot = 0;
      for (const k of keys) dot += tf.sum(tf.mul(ours.dParams[k], dir[k])).dataSync()[0];
      dot /= len;
      result.finiteDifference = Math.abs(fd - dot) / Math.abs(dot);
    }
    passes.forEach((ps) => ps.dispose());
    disposeAll(ours); //              backward keeps its gradients beyond tidy (tf.keep)
    return result as unknown as tf.TensorContainer;
  }) as unknown as GradcheckResult;
}
