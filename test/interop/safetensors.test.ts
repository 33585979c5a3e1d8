/** safetensors: bit-exact round trips, the format's layout, one-line errors on malformed files. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/backend";
import { disposeAll } from "../../src/layer";
import {
  decodeSafetensors,
  encodeSafetensors,
  loadSafetensors,
  saveSafetensors,
} from "../../src/interop/safetensors";
import { checkLeaks, tempDir } from "../helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

/** A file from a header object and a data section, as another writer might make it. */
function file(header: object, data: Uint8Array): Uint8Array {
  const h = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}
const f32 = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);

describe("safetensors", () => {
  it("round-trips parameters bit for bit, with metadata", () => {
    const dir = tempDir();
    const p = {
      "0.Wx": tf.randomNormal([5, 12], 0, 1, "float32", 3),
      "head.by": tf.tensor1d([1e-38, -0, 3.4e38, 1 / 3]),
    };
    const path = join(dir, "m.safetensors");
    saveSafetensors(path, p, { format: "pt", note: "x" });
    const back = loadSafetensors(path);
    expect(back.metadata).toEqual({ format: "pt", note: "x" });
    for (const [k, t] of Object.entries(p)) {
      expect(back.tensors[k].shape).toEqual(t.shape);
      const a = new Uint32Array((t.dataSync() as Float32Array).slice().buffer);
      expect(new Uint32Array(back.tensors[k].data.buffer)).toEqual(a);
    }
    // the layout: u64 header length, JSON, data 8-byte aligned
    const bytes = readFileSync(path);
    const n = Number(bytes.readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString());
    expect(header["0.Wx"]).toEqual({ dtype: "F32", shape: [5, 12], data_offsets: [0, 240] });
    disposeAll(p);
  });

  it("reads F64, F16 and BF16 as float32", () => {
    const f64 = new Uint8Array(new Float64Array([0.5, -2]).buffer);
    const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3555]).buffer); //  1, −2, ≈1/3
    const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0xc0a0]).buffer); //          1, −5
    const data = new Uint8Array([...f64, ...f16, ...bf16]);
    const r = decodeSafetensors(
      file(
        {
          a: { dtype: "F64", shape: [2], data_offsets: [0, 16] },
          b: { dtype: "F16", shape: [3], data_offsets: [16, 22] },
          c: { dtype: "BF16", shape: [2], data_offsets: [22, 26] },
        },
        data,
      ),
    );
    expect(r.tensors.a.data).toEqual(new Float32Array([0.5, -2]));
    expect(r.tensors.b.data).toBeAllclose([1, -2, 1 / 3], { rtol: 1e-3 });
    expect(r.tensors.c.data).toEqual(new Float32Array([1, -5]));
  });

  const t = (o: number[], dtype = "F32", shape = [2]) => ({ dtype, shape, data_offsets: o });
  const cases: [string, Uint8Array, RegExp][] = [
    ["too short", new Uint8Array(5), /5 bytes is too short for a safetensors file/],
    [
      "bad header length",
      (() => {
        const b = file({ a: t([0, 8]) }, f32(1, 2));
        new DataView(b.buffer).setBigUint64(0, 10n ** 12n, true);
        return b;
      })(),
      /the header length 1000000000000 runs past the end of the file/,
    ],
    ["header not JSON", file({}, new Uint8Array()).fill(120, 8), /the header is not JSON/],
    [
      "overlapping offsets",
      file({ a: t([0, 8]), b: t([4, 12]) }, f32(1, 2, 3)),
      /tensor b overlaps the tensor before it \(offsets 4–12\)/,
    ],
    [
      "unknown dtype",
      file({ a: t([0, 8], "F33") }, f32(1, 2)),
      /tensor a has an unknown dtype "F33"/,
    ],
    [
      "integer dtype",
      file({ a: t([0, 8], "I32") }, f32(1, 2)),
      /tensor a is I32; parameters are read/,
    ],
    [
      "size against shape",
      file({ a: t([0, 8], "F32", [3]) }, f32(1, 2)),
      /tensor a has 8 bytes for shape \[3\] of F32 \(12\)/,
    ],
    [
      "truncated data",
      file({ a: t([0, 8]) }, f32(1)),
      /tensor a ends at byte 8 past the data's 4 bytes/,
    ],
    [
      "bytes of no tensor",
      file({ a: t([0, 8]) }, f32(1, 2, 3)),
      /bytes 8–12 of the data belong to no tensor/,
    ],
  ];
  for (const [name, bytes, message] of cases)
    it(`refuses a file with ${name}, in one line`, () => {
      const dir = tempDir();
      const path = join(dir, "bad.safetensors");
      writeFileSync(path, bytes);
      let err: Error | undefined;
      try {
        loadSafetensors(path);
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message).toMatch(message);
      expect(err?.message).toMatch(/^loadSafetensors: .*bad\.safetensors: /);
      expect(err?.message).not.toContain("\n");
    });

  it("names a missing tensor when loading into a model", async () => {
    const { charModel } = await import("../../src/text/charmodel");
    const { fromTorch, toTorch } = await import("../../src/interop/torch");
    const { initModel } = await import("../../src/model");
    const m = charModel({ cell: "lstm", hiddenSize: 4, layers: 2, vocabSize: 3 });
    const p = initModel(m, 1);
    const { tensors } = toTorch(m, p);
    delete tensors["rnn.bias_hh_l1"];
    expect(() => fromTorch(m, tensors)).toThrow(
      "fromTorch: tensor rnn.bias_hh_l1 is missing (a LSTM of 2 layer(s), bidirectional: false)",
    );
    disposeAll(p);
  });

  it("refuses to save NaN", () => {
    const p = { w: tf.tensor1d([1, NaN]) };
    expect(() => saveSafetensors(join(tempDir(), "x.safetensors"), p)).toThrow(
      "saveSafetensors: w holds NaN or infinite values; not saving a broken model",
    );
    disposeAll(p);
  });

  it("encodes what it decodes", () => {
    const bytes = encodeSafetensors({ a: { shape: [1, 2], data: new Float32Array([1, 2]) } });
    expect(decodeSafetensors(bytes).tensors.a.data).toEqual(new Float32Array([1, 2]));
  });
});
