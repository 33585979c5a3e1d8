/**
 * A character-level language model from a plain configuration (what a checkpoint stores):
 * `layers` stacked cells of `hiddenSize` units over one-hot characters, a softmax over the
 * vocabulary at every step.
 */
import { cellByName } from "../cells";
import type { Model } from "../model";
import { LayerSpec, modelFromSpec, ModelSpec } from "../spec";

export interface CharModelConfig {
  /** A cell of the catalog by name: "lstm", "gru", "simple", "mgu", "gru+reset-before", … */
  cell: string;
  hiddenSize: number;
  layers: number;
  vocabSize: number;
}

/** The model's spec (spec.ts): what worker threads and the PyTorch export read. */
export function charModelSpec({ cell, hiddenSize, layers, vocabSize }: CharModelConfig): ModelSpec {
  if (!Number.isInteger(layers) || layers <= 0)
    throw new Error(`charModel: layers must be a positive integer (got ${layers})`);
  cellByName(cell, { inputSize: vocabSize, hiddenSize }, "charModel"); //   names a bad cell first
  const cells: LayerSpec[] = Array.from({ length: layers }, (_, k) => ({
    cell,
    inputSize: k === 0 ? vocabSize : hiddenSize,
    hiddenSize,
  }));
  return {
    layer: layers === 1 ? cells[0] : { stack: cells },
    outputSize: vocabSize,
    loss: "softmax",
  };
}

export function charModel(config: CharModelConfig): Model {
  return modelFromSpec(charModelSpec(config));
}
