/**
 * Fashion-MNIST (Zalando Research, Xiao et al. 2017; MIT): 28×28 grey images of clothing in 10
 * classes, in the original IDX format (gzip). data/fashion-mnist/ holds the official 10,000
 * test images and the first 20,000 of the 60,000 training images (data/README.md), the
 * training images as two IDX files of 10,000 each (no file in git over 8 MB).
 *
 *   IDX images: magic 2051, count, rows, cols (big-endian int32), then count·rows·cols bytes
 *   IDX labels: magic 2049, count, then count bytes
 *
 * Read as a sequence, an image is T = 28 steps of x_t = row t (28 pixels): `imageRows`.
 */
import * as tf from "@tensorflow/tfjs";
import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { gunzipSync } from "zlib";
import { dataDir } from "../project";

export const FASHION_CLASSES: readonly string[] = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];

export interface FashionMnist {
  /** Pixels 0–255, image i at [i·784, (i + 1)·784), row by row. */
  images: Uint8Array;
  /** Class 0–9 of each image. */
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
  classes: readonly string[];
}

/** The bytes of an IDX file after its header, checked: magic, dimensions, length. */
function readIdx(path: string, magic: number, dims: number): { dims: number[]; body: Uint8Array } {
  if (!existsSync(path))
    throw new Error(`loadFashionMnist: ${path} does not exist: restore it (git checkout -- data)`);
  let buf: Buffer;
  try {
    buf = gunzipSync(readFileSync(path));
  } catch (e) {
    throw new Error(
      `loadFashionMnist: ${path} is not a readable gzip file (${(e as Error).message})`,
    );
  }
  const head = 4 + 4 * dims;
  if (buf.length < head || buf.readInt32BE(0) !== magic)
    throw new Error(`loadFashionMnist: ${path} is not an IDX file with magic ${magic}`);
  const d = Array.from({ length: dims }, (_, k) => buf.readInt32BE(4 + 4 * k));
  const want = d.reduce((a, b) => a * b, 1);
  if (buf.length - head !== want)
    throw new Error(
      `loadFashionMnist: ${path} should hold ${want} bytes after its header (dimensions ${d.join("×")}), has ${buf.length - head}`,
    );
  return { dims: d, body: new Uint8Array(buf.buffer, buf.byteOffset + head, want) };
}

/**
 * The images of a split: one IDX file, or (the training images, kept under 8 MB per file in
 * git) consecutive parts `…-ubyte.part1.gz`, `…part2.gz`, … of the same rows and columns.
 */
function readImages(dir: string, stem: string): { dims: number[]; body: Uint8Array } {
  const whole = join(dir, `${stem}-images-idx3-ubyte.gz`);
  if (existsSync(whole)) return readIdx(whole, 2051, 3);
  const parts: { dims: number[]; body: Uint8Array }[] = [];
  for (let k = 1; existsSync(join(dir, `${stem}-images-idx3-ubyte.part${k}.gz`)); k++)
    parts.push(readIdx(join(dir, `${stem}-images-idx3-ubyte.part${k}.gz`), 2051, 3));
  if (parts.length === 0) return readIdx(whole, 2051, 3); //             names the missing file
  const [, rows, cols] = parts[0].dims;
  if (parts.some((q) => q.dims[1] !== rows || q.dims[2] !== cols))
    throw new Error(`loadFashionMnist: the parts of ${whole} differ in image size`);
  const body = new Uint8Array(parts.reduce((a, q) => a + q.body.length, 0));
  parts.reduce((at, q) => (body.set(q.body, at), at + q.body.length), 0);
  return { dims: [body.length / (rows * cols), rows, cols], body };
}

/** The training (first 20,000) or test (10,000) images, optionally only the first `limit`. */
export function loadFashionMnist({
  split,
  limit,
  dir = join(dataDir(), "fashion-mnist"),
}: {
  split: "train" | "test";
  limit?: number;
  dir?: string;
}): FashionMnist {
  if (split !== "train" && split !== "test")
    throw new Error(
      `loadFashionMnist: split must be "train" or "test" (got ${JSON.stringify(split)})`,
    );
  const stem = split === "train" ? "train" : "t10k";
  const img = readImages(dir, stem);
  const lab = readIdx(join(dir, `${stem}-labels-idx1-ubyte.gz`), 2049, 1);
  const [n, rows, cols] = img.dims;
  if (lab.dims[0] !== n)
    throw new Error(`loadFashionMnist: ${split} has ${n} images but ${lab.dims[0]} labels`);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new Error(`loadFashionMnist: limit must be a positive integer (got ${limit})`);
  const count = Math.min(n, limit ?? n);
  for (let i = 0; i < count; i++)
    if (lab.body[i] > 9)
      throw new Error(`loadFashionMnist: label ${i} is ${lab.body[i]}, outside the classes 0..9`);
  return {
    images: img.body.slice(0, count * rows * cols),
    labels: lab.body.slice(0, count),
    count,
    rows,
    cols,
    classes: FASHION_CLASSES,
  };
}

/** Mean and standard deviation of Fashion-MNIST's training pixels (scaled to [0, 1]). */
export const FASHION_PIXEL = { mean: 0.286, std: 0.353 } as const;

/**
 * Images `ids` as a sequence of their rows: x_t [B, cols] = row t of each image, pixels
 * standardised (p/255 − mean) / std (`{ mean: 0, std: 1 }` keeps p/255).
 */
export function imageRows(
  data: FashionMnist,
  ids: number[],
  { mean, std }: { mean: number; std: number } = FASHION_PIXEL,
): tf.Tensor2D[] {
  const { rows: T, cols: W, count } = data;
  ids.forEach((i, b) => {
    if (!(Number.isInteger(i) && i >= 0 && i < count))
      throw new Error(`imageRows: ids[${b}] is ${i}, outside the images 0..${count - 1}`);
  });
  return Array.from({ length: T }, (_, t) => {
    const v = new Float32Array(ids.length * W);
    ids.forEach((i, b) => {
      const from = i * T * W + t * W;
      for (let c = 0; c < W; c++) v[b * W + c] = (data.images[from + c] / 255 - mean) / std;
    });
    return tf.tensor2d(v, [ids.length, W]);
  });
}
