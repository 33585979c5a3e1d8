/** Every cell and variant, at small sizes, for the tests that run them all. */
import { Cell } from "../../src/cells/cell";
import { gru } from "../../src/cells/gru";
import { lstm } from "../../src/cells/lstm";
import { simpleRNN } from "../../src/cells/simple";

export const D = 4;
export const H = 6;
export const CELLS: Record<string, () => Cell> = {
  "simple (tanh)": () => simpleRNN({ inputSize: D, hiddenSize: H }),
  "simple (relu)": () => simpleRNN({ inputSize: D, hiddenSize: H, activation: "relu" }),
  lstm: () => lstm({ inputSize: D, hiddenSize: H }),
  "lstm + peephole": () => lstm({ inputSize: D, hiddenSize: H, peephole: true }),
  "lstm + coupled": () => lstm({ inputSize: D, hiddenSize: H, coupled: true }),
  "lstm + peephole + coupled": () =>
    lstm({ inputSize: D, hiddenSize: H, peephole: true, coupled: true }),
  "gru (reset after)": () => gru({ inputSize: D, hiddenSize: H }),
  "gru (reset before)": () => gru({ inputSize: D, hiddenSize: H, resetAfter: false }),
};
