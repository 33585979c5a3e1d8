/**
 * Layers made of layers, for every cell:
 * - `reverse(layer)`: runs the sequence backwards and gives the outputs back in time order;
 * - `bidirectional(fw, bw, { merge })`: fw on the sequence, bw on it reversed, outputs merged
 *   per step (concat, sum, mul, ave), aligned in time;
 * - `stack([l0, l1, …])`: layer k+1 reads layer k's outputs (a deep RNN).
 * Parameters and carry parts are named with prefixes: "fw.Wx", "bw.c", "0.Wh", "1.fw.h".
 */
export { reverse } from "./reverse";
export { bidirectional, MERGE_MODES } from "./bidirectional";
export type { MergeMode } from "./bidirectional";
export { stack } from "./stack";
