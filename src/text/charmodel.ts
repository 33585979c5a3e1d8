/**
 * A character-level language model from a plain configuration (what a checkpoint stores):
 * `layers` stacked cells of `hiddenSize` units over one-hot characters, a softmax over the
 * vocabulary at every step.
 */
import { gru } from "../cells/gru";
import { lstm } from "../cells/lstm";
import { simpleRNN } from "../cells/simple";
import { stack } from "../compose";
import { model, Model } from "../model";
import { unroll } from "../scan";

export interface CharModelConfig {
  cell: "lstm" | "gru" | "simple";
  hiddenSize: number;
  layers: number;
  vocabSize: number;
}

export function charModel({ cell, hiddenSize, layers, vocabSize }: CharModelConfig): Model {
  const make = { lstm, gru, simple: simpleRNN }[cell];
  if (!make)
    throw new Error(
      `charModel: cell must be "lstm", "gru" or "simple" (got ${JSON.stringify(cell)})`,
    );
  if (!Number.isInteger(layers) || layers <= 0)
    throw new Error(`charModel: layers must be a positive integer (got ${layers})`);
  const cells = Array.from({ length: layers }, (_, k) =>
    unroll(make({ inputSize: k === 0 ? vocabSize : hiddenSize, hiddenSize })),
  );
  return model({
    layer: layers === 1 ? cells[0] : stack(cells),
    outputSize: vocabSize,
    loss: "softmax",
  });
}
