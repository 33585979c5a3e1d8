/** traceSteps: the reference step's carry and gates per step, as numbers, for every cell. */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../src/backend";
import { unroll } from "../src/scan";
import { traceSteps } from "../src/trace";
import { CELLS } from "./cells/catalog";
import { randCarry, randSeq } from "./gradcheck";
import { checkLeaks } from "./helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

describe.each(Object.entries(CELLS))("%s", (_name, make) => {
  it("gives the layer's carry after every step and the step's cache, freeing everything", () => {
    const cell = make();
    const layer = unroll(cell);
    const p = cell.init(3);
    const xs = randSeq(4, 2, cell.inputSize, 4);
    const c0 = randCarry(layer, 2, 5);
    const trace = traceSteps(cell, p, xs, { carry: c0 });
    const pass = layer.forward(p, xs, { carry: c0 });
    expect(trace.carry.h).toHaveLength(4);
    trace.carry.h.forEach((h, t) => expect(h).toBeAllclose(pass.ys[t], { rtol: 1e-5, atol: 1e-6 }));
    for (const k of cell.carryNames) expect(trace.carry[k][3]).toBeAllclose(pass.carry[k]);
    for (const values of Object.values(trace.cache)) expect(values).toHaveLength(4);
    pass.dispose();
    tf.dispose([Object.values(p), xs, Object.values(c0)]);
  });
});
