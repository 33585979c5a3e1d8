/**
 * Adam's update (the equations in src/adam.ts) as one kernel per parameter on the fast path;
 * elsewhere tfjs' own applyGradients. The state stays tfjs' own (getWeights, setWeights).
 */
import * as tf from "@tensorflow/tfjs";
import { AdamSlots, setBetaPowers, slot } from "../adam";
import { fastPath } from "./policy";
import { fused } from "./registry";

const adamUpdate = fused<"theta" | "g" | "m" | "v">(
  "rnnwb.Adam",
  ({ ins: { theta, g, m, v }, outs: [theta1, m1, v1], attrs: { lr, b1, b2, eps, c1, c2 } }) => {
    for (let j = 0; j < theta.length; j++) {
      const mj = b1 * m[j] + (1 - b1) * g[j]; //                                 first moment
      const vj = b2 * v[j] + (1 - b2) * g[j] * g[j]; //                          second moment
      m1[j] = mj;
      v1[j] = vj;
      theta1[j] = theta[j] - (lr * (mj / c1)) / (Math.sqrt(vj / c2) + eps);
    }
  },
);

/** tf.train.adam(learningRate) whose update runs as one kernel per parameter when it can. */
export class FusedAdam extends tf.AdamOptimizer {
  constructor(learningRate: number) {
    super(learningRate, 0.9, 0.999);
  }

  override applyGradients(grads: Parameters<tf.AdamOptimizer["applyGradients"]>[0]): void {
    if (!fastPath() || Array.isArray(grads)) return super.applyGradients(grads);
    const s = this as unknown as AdamSlots;
    const k = this.iterations + 1; //                                           this step's number
    const attrs = {
      lr: this.learningRate,
      b1: s.beta1,
      b2: s.beta2,
      eps: s.epsilon,
      c1: 1 - s.beta1 ** k,
      c2: 1 - s.beta2 ** k,
    };
    Object.keys(grads).forEach((name, i) => {
      const theta = tf.engine().registeredVariables[name];
      s.accumulatedFirstMoment[i] ??= tf.tidy(() => slot(name, "m", tf.zerosLike(theta)));
      s.accumulatedSecondMoment[i] ??= tf.tidy(() => slot(name, "v", tf.zerosLike(theta)));
      const m = s.accumulatedFirstMoment[i].variable;
      const v = s.accumulatedSecondMoment[i].variable;
      const out = adamUpdate(
        { theta, g: grads[name], m, v },
        [theta.shape, theta.shape, theta.shape],
        attrs,
      );
      theta.assign(out[0]);
      m.assign(out[1]);
      v.assign(out[2]);
      tf.dispose(out);
    });
    setBetaPowers(s, k);
    this.incrementIterations();
  }
}
