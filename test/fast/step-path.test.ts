/** stepPath (src/fast/policy.ts): which path each cell of the catalog runs on. */
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/backend";
import { CELLS, lstm } from "../../src/cells";
import { setFused, stepPath } from "../../src/fast/policy";

beforeAll(async () => {
  await initBackend();
});
afterEach(() => setFused(true));

const sizes = { inputSize: 5, hiddenSize: 8 };

describe("stepPath", () => {
  it("names the fused SIMD, fused JS and reference paths per cell", () => {
    if (tf.getBackend() !== "wasm") return; // the fast path runs on wasm only
    expect(stepPath(CELLS.lstm(sizes))).toBe("fused kernels (wasm SIMD)");
    expect(stepPath(CELLS.gru(sizes))).toBe("fused kernels (JS loops)");
    expect(stepPath(CELLS["gru+reset-before"](sizes))).toBe("fused kernels (JS loops)");
    expect(stepPath(CELLS.simple(sizes))).toBe("fused kernels (JS loops)");
    expect(stepPath(CELLS["lstm+peephole"](sizes))).toBe("reference ops");
    expect(stepPath(CELLS["lstm+coupled"](sizes))).toBe("reference ops");
    expect(stepPath(CELLS.mgu(sizes))).toBe("reference ops");
    expect(stepPath(lstm({ inputSize: 5, hiddenSize: 3 }))).toBe("reference ops"); // H < 4
  });

  it("says reference ops when the fast path is off", () => {
    setFused(false);
    for (const make of Object.values(CELLS)) expect(stepPath(make(sizes))).toBe("reference ops");
  });
});
