import { createRequire } from "module";
import { dirname } from "path";
import { afterAll, describe, expect, it } from "vitest";
import { initBackend, requestedBackend, tf } from "../src/backend";

const req = createRequire(__filename);
const gpuInstalled = (() => {
  try {
    req.resolve("@tensorflow/tfjs-node-gpu");
    return true;
  } catch {
    return false;
  }
})();

afterAll(async () => {
  await initBackend();
});

describe("backend choice", () => {
  it("parses RNN_BACKEND", () => {
    expect(requestedBackend({})).toBeUndefined();
    expect(requestedBackend({ RNN_BACKEND: "wasm" })).toBe("wasm");
    expect(requestedBackend({ RNN_BACKEND: " cpu " })).toBe("cpu");
    expect(() => requestedBackend({ RNN_BACKEND: "gpu" })).toThrow(
      'RNN_BACKEND must be one of tensorflow, wasm, cpu (got "gpu")',
    );
  });

  it("picks tensorflow if it loads, else the embedded wasm backend", async () => {
    const name = await initBackend();
    expect(name).toBe(gpuInstalled ? "tensorflow" : "wasm");
    expect(tf.getBackend()).toBe(name);
  });

  it("forcing a backend that is not installed is a one-line error saying what to install", async () => {
    if (gpuInstalled) return expect(await initBackend("tensorflow")).toBe("tensorflow");
    const err = await initBackend("tensorflow").catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain("npm install @tensorflow/tfjs-node-gpu");
    expect((err as Error).message).not.toContain("\n");
  });

  it("forces cpu and wasm on request and computes the same matMul on both", async () => {
    const a = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    expect(await initBackend("cpu")).toBe("cpu");
    const onCpu = Array.from(tf.matMul(a, a).dataSync());
    expect(await initBackend("wasm")).toBe("wasm");
    const onWasm = Array.from(tf.matMul(a, a).dataSync());
    expect(onCpu).toEqual([7, 10, 15, 22]);
    expect(onWasm).toEqual(onCpu);
  });

  it("shares one tfjs engine with danfojs-node", () => {
    const danfoDir = dirname(req.resolve("danfojs-node"));
    expect(req.resolve("@tensorflow/tfjs-core", { paths: [danfoDir] })).toBe(
      req.resolve("@tensorflow/tfjs-core"),
    );
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const dfd = require("danfojs-node");
    const s = new dfd.Series([1, 2, 3]);
    expect(s.tensor).toBeInstanceOf(tf.Tensor);
  });
});
