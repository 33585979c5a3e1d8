/**
 * The safetensors format (Hugging Face): what PyTorch, JAX and most model hubs exchange
 * weights in. One file:
 *
 *   [8 bytes]  N, the header's length, unsigned little-endian 64-bit
 *   [N bytes]  JSON: { "<name>": { "dtype": "F32", "shape": [..], "data_offsets": [b, e] }, …,
 *                      "__metadata__": { "<key>": "<string>", … } }   (padded with spaces)
 *   [rest]     the tensors' bytes, little-endian, row-major; tensor k is bytes [b, e) of it
 *
 * Reading checks what the reference implementation checks: the header fits the file, offsets
 * cover the data exactly once (no overlap, no gap, nothing past the end), each tensor's byte
 * count matches its shape and dtype. F32 is read as is; F64, F16 and BF16 become float32.
 */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { writeAtomically } from "../checkpoint-files";
import type { Params } from "../layer";

export interface RawTensor {
  shape: number[];
  /** float32 values, row-major. */
  data: Float32Array;
}

export interface Safetensors {
  tensors: Record<string, RawTensor>;
  metadata: Record<string, string>;
}

const BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};
const FLOATS = ["F32", "F64", "F16", "BF16"];
const MAX_HEADER = 100_000_000; //                        the reference implementation's limit

/** The bytes of a safetensors file holding these float32 tensors (names sorted). */
export function encodeSafetensors(
  tensors: Record<string, RawTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const names = Object.keys(tensors).sort();
  let at = 0;
  for (const k of names) {
    const { shape, data } = tensors[k];
    const n = shape.reduce((a, d) => a * d, 1);
    if (n !== data.length)
      throw new Error(`saveSafetensors: ${k} has ${data.length} values for shape [${shape}]`);
    header[k] = { dtype: "F32", shape, data_offsets: [at, at + 4 * n] };
    at += 4 * n;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8); //   data 8-byte aligned
  const head = Buffer.from(json, "utf8");
  const out = new Uint8Array(8 + head.length + at);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let off = 8 + head.length;
  for (const k of names) {
    const d = tensors[k].data;
    for (let i = 0; i < d.length; i++, off += 4) view.setFloat32(off, d[i], true);
  }
  return out;
}

/** Decodes and checks a safetensors file's bytes; `what` names it in errors. */
export function decodeSafetensors(bytes: Uint8Array, what = "safetensors"): Safetensors {
  const bad = (why: string) => new Error(`loadSafetensors: ${what}: ${why}`);
  if (bytes.length < 8) throw bad(`${bytes.length} bytes is too short for a safetensors file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const N = view.getBigUint64(0, true);
  if (N > BigInt(Math.min(MAX_HEADER, bytes.length - 8)))
    throw bad(`the header length ${N} runs past the end of the file (${bytes.length} bytes)`);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + 8, Number(N)).toString("utf8");
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw bad(`the header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header))
    throw bad("the header is not a JSON object");
  const dataStart = 8 + Number(N);
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  const tensors: Record<string, RawTensor> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      for (const [k, v] of Object.entries((entry ?? {}) as Record<string, unknown>)) {
        if (typeof v !== "string") throw bad(`metadata ${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const t = (why: string) => bad(`tensor ${name} ${why}`);
    if (typeof e?.dtype !== "string" || !(e.dtype in BYTES))
      throw t(`has an unknown dtype ${JSON.stringify(e?.dtype)}`);
    if (!FLOATS.includes(e.dtype))
      throw t(`is ${e.dtype}; parameters are read from ${FLOATS.join(", ")} only`);
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
      throw t("has a shape that is not a list of non-negative integers");
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0))
      throw t("has data_offsets that are not [begin, end]");
    const [b, en] = off as [number, number];
    const n = (shape as number[]).reduce((a, d) => a * d, 1);
    if (en - b !== n * BYTES[e.dtype])
      throw t(`has ${en - b} bytes for shape [${shape}] of ${e.dtype} (${n * BYTES[e.dtype]})`);
    if (en > dataLength)
      throw t(`ends at byte ${en} past the data's ${dataLength} bytes (a truncated file?)`);
    spans.push([b, en, name]);
    tensors[name] = { shape: shape as number[], data: toFloat32(view, dataStart + b, n, e.dtype) };
  }
  spans.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let end = 0;
  for (const [b, en, name] of spans) {
    if (b < end) throw bad(`tensor ${name} overlaps the tensor before it (offsets ${b}–${en})`);
    if (b > end) throw bad(`bytes ${end}–${b} of the data belong to no tensor`);
    end = en;
  }
  if (end !== dataLength) throw bad(`bytes ${end}–${dataLength} of the data belong to no tensor`);
  return { tensors, metadata };
}

function toFloat32(v: DataView, at: number, n: number, dtype: string): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (dtype === "F32") out[i] = v.getFloat32(at + 4 * i, true);
    else if (dtype === "F64") out[i] = v.getFloat64(at + 8 * i, true);
    else if (dtype === "BF16") {
      const u = new DataView(new ArrayBuffer(4));
      u.setUint32(0, v.getUint16(at + 2 * i, true) << 16);
      out[i] = u.getFloat32(0);
    } else out[i] = half(v.getUint16(at + 2 * i, true));
  }
  return out;
}

/** IEEE half precision to a number. */
function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Tensors (float32, by name) and string metadata into a safetensors file, atomically. */
export function saveSafetensors(
  path: string,
  params: Params | Record<string, RawTensor>,
  metadata: Record<string, string> = {},
): void {
  const raw: Record<string, RawTensor> = {};
  for (const [k, t] of Object.entries(params)) {
    if (t instanceof tf.Tensor) {
      if (t.dtype !== "float32")
        throw new Error(`saveSafetensors: ${k} is ${t.dtype}, not float32`);
      raw[k] = { shape: t.shape, data: t.dataSync() as Float32Array };
    } else raw[k] = t;
    if (raw[k].data.some((x) => !Number.isFinite(x)))
      throw new Error(
        `saveSafetensors: ${k} holds NaN or infinite values; not saving a broken model`,
      );
  }
  writeAtomically(path, Buffer.from(encodeSafetensors(raw, metadata)));
}

/** Reads a safetensors file: its tensors as float32 arrays and its metadata. */
export function loadSafetensors(path: string): Safetensors {
  return decodeSafetensors(readFileSync(path), path);
}
