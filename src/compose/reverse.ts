/** `reverse(layer)`: the layer run from the last step to the first; outputs in time order. */
import { Grads, Layer, Pass } from "../layer";
import { disposeMask, flipMask, layerMask } from "../mask";

const flip = <T>(a: T[]): T[] => a.slice().reverse();

/** The layer run from the last step to the first; outputs are returned in time order. */
export function reverse(layer: Layer): Layer {
  return {
    ...layer,
    name: `reverse(${layer.name})`,
    forward(p, xs, { carry, mask, train } = {}): Pass {
      const m = layerMask(layer.name, layer.inputSize, xs, mask); //                          steps T … 1 below
      let inner: Pass;
      try {
        inner = layer.forward(p, flip(xs), { carry, mask: m.mask && flipMask(m.mask), train });
      } catch (e) {
        disposeMask(m);
        throw e;
      }
      return {
        ys: flip(inner.ys),
        carry: inner.carry,
        backward(dys, options) {
          const g = inner.backward(flip(dys), options);
          const out: Grads = { ...g, dxs: flip(g.dxs) };
          if (g.gradNorms)
            out.gradNorms = Object.fromEntries(
              Object.entries(g.gradNorms).map(([k, v]) => [k, flip(v)]),
            );
          return out;
        },
        dispose() {
          inner.dispose();
          disposeMask(m);
        },
      };
    },
  };
}
