/**
 * A character-level language model from a plain configuration (what a checkpoint stores):
 * `layers` stacked cells of `hiddenSize` units over one-hot characters, a softmax over the
 * vocabulary at every step.
 */
import { cellByName } from "../cells";
import { stack } from "../compose";
import { model, Model } from "../model";
import { unroll } from "../scan";

export interface CharModelConfig {
  /** A cell of the catalog by name: "lstm", "gru", "simple", "mgu", "gru+reset-before", … */
  cell: string;
  hiddenSize: number;
  layers: number;
  vocabSize: number;
}

export function charModel({ cell, hiddenSize, layers, vocabSize }: CharModelConfig): Model {
  if (!Number.isInteger(layers) || layers <= 0)
    throw new Error(`charModel: layers must be a positive integer (got ${layers})`);
  const cells = Array.from({ length: layers }, (_, k) =>
    unroll(
      cellByName(cell, { inputSize: k === 0 ? vocabSize : hiddenSize, hiddenSize }, "charModel"),
    ),
  );
  return model({
    layer: layers === 1 ? cells[0] : stack(cells),
    outputSize: vocabSize,
    loss: "softmax",
  });
}
