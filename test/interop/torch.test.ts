/**
 * PyTorch interop: our models saved under PyTorch's names load into nn.RNN/LSTM/GRU + nn.Linear
 * and give our outputs; modules made and trained by PyTorch load here and give PyTorch's. Runs
 * where a Python with torch is found (Debian's python3-torch; .ci/run installs it and sets
 * RNN_REQUIRE_TORCH=1, so there it cannot be skipped).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/backend";
import { disposeAll } from "../../src/layer";
import { initModel, Model, predict } from "../../src/model";
import { loadTorch, saveTorch, toTorch, torchLayout } from "../../src/interop/torch";
import { torchForward, torchPython, torchTrain } from "../../src/interop/python";
import { modelFromSpec, ModelSpec, LayerSpec } from "../../src/spec";
import { checkLeaks } from "../helpers";
import { rng } from "../../src/init";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

const torch = torchPython();
if (!torch && process.env.RNN_REQUIRE_TORCH === "1")
  throw new Error("RNN_REQUIRE_TORCH=1 but no Python imports torch: apt-get install python3-torch");

const D = 5;
const H = 6;
const cell = (c: string, inputSize = D): LayerSpec => ({ cell: c, inputSize, hiddenSize: H });
const bi = (c: string, inputSize = D): LayerSpec => ({
  bidirectional: [cell(c, inputSize), cell(c, inputSize)],
});
const CASES: [string, ModelSpec][] = [
  ["RNN (tanh)", { layer: cell("simple"), outputSize: 4 }],
  [
    "RNN (relu), last step",
    { layer: cell("simple+relu"), outputSize: 3, output: "last", loss: "mse" },
  ],
  ["LSTM", { layer: cell("lstm"), outputSize: 4 }],
  ["GRU (reset-after)", { layer: cell("gru"), outputSize: 4, output: "mean" }],
  ["stacked LSTM, 2 layers", { layer: { stack: [cell("lstm"), cell("lstm", H)] }, outputSize: 4 }],
  ["bidirectional GRU", { layer: bi("gru"), outputSize: 4 }],
  [
    "stacked bidirectional LSTM, last step",
    { layer: { stack: [bi("lstm"), bi("lstm", 2 * H)] }, outputSize: 3, output: "last" },
  ],
];

function inputs(B: number, T: number): tf.Tensor2D[] {
  const r = rng(9);
  return Array.from({ length: T }, () =>
    tf.tensor2d(
      Array.from({ length: B * D }, () => r() * 2 - 1),
      [B, D],
    ),
  );
}

/** Our outputs in PyTorch's layout: [B, T, O] (sequence) or [B, O]. */
function ours(m: Model, params: Record<string, tf.Tensor>, xs: tf.Tensor2D[]): Float32Array {
  const pr = predict(m, params, xs);
  try {
    if (pr.output) return pr.output.dataSync() as Float32Array;
    return tf.tidy(() => tf.stack(pr.outputs, 1).dataSync() as Float32Array);
  } finally {
    disposeAll(pr);
  }
}

const dir = mkdtempSync(join(tmpdir(), "rnnwb-torch-test-"));

describe.skipIf(!torch)(`PyTorch ${torch?.version ?? "(absent)"} round trip`, () => {
  CASES.forEach(([name, spec], k) =>
    it(`${name}: ours → PyTorch gives our outputs`, () => {
      const m = modelFromSpec(spec);
      const p = initModel(m, k + 1);
      const xs = inputs(3, 7);
      const file = join(dir, `ours-${k}.safetensors`);
      saveTorch(file, m, p);
      const y = torchForward(file, xs);
      expect(y.data).toBeAllclose(ours(m, p, xs), { rtol: 1e-5, atol: 1e-5 });
      disposeAll(p, xs);
    }),
  );
  CASES.forEach(([name, spec], k) =>
    it(`${name}: trained in PyTorch → here gives PyTorch's outputs`, () => {
      const m = modelFromSpec(spec);
      const { config } = torchLayout("test", spec);
      const xs = inputs(4, 6);
      const file = join(dir, `torch-${k}.safetensors`);
      const y = torchTrain(config, file, xs);
      const loaded = loadTorch(file); //                    the model from the file's metadata
      expect(Object.keys(loaded.params).sort()).toEqual(Object.keys(m.shapes).sort());
      expect(ours(loaded.model, loaded.params, xs)).toBeAllclose(y.data, {
        rtol: 1e-5,
        atol: 1e-5,
      });
      disposeAll(loaded.params, xs);
    }),
  );
});

describe("what PyTorch cannot express is refused with the reason", () => {
  const refuse = (spec: ModelSpec, message: string | RegExp) => {
    const m = modelFromSpec(spec);
    const p = initModel(m, 0);
    try {
      expect(() => toTorch(m, p)).toThrow(message);
    } finally {
      disposeAll(p);
    }
  };
  it("the reset-before GRU", () =>
    refuse(
      { layer: cell("gru+reset-before"), outputSize: 2 },
      "toTorch: gru+reset-before has no PyTorch counterpart: nn.GRU applies the reset gate after the recurrent product (use gru, reset-after)",
    ));
  it("mixed cells, a sum merge, a lone reverse", () => {
    refuse(
      { layer: { stack: [cell("lstm"), cell("gru", H)] }, outputSize: 2 },
      /PyTorch stacks one cell kind and size; this model mixes lstm 6 and gru 6/,
    );
    refuse(
      { layer: { bidirectional: [cell("gru"), cell("gru")], merge: "sum" }, outputSize: 2 },
      /merge "sum" has no counterpart/,
    );
    refuse({ layer: { reverse: cell("lstm") }, outputSize: 2 }, /layer 0 is not a cell/);
  });
});
