/** Fashion-MNIST as shipped in data/ (src/datasets/fashion-mnist.ts). */
import * as tf from "@tensorflow/tfjs";
import { mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import { gzipSync } from "zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/backend";
import { imageRows, loadFashionMnist } from "../../src/datasets/fashion-mnist";
import { checkLeaks, tempDir } from "../helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

describe("loadFashionMnist", () => {
  it("20,000 training and 10,000 test images of 28×28, every class present", () => {
    const train = loadFashionMnist({ split: "train" });
    const test = loadFashionMnist({ split: "test" });
    expect([train.count, test.count, train.rows, train.cols]).toEqual([20000, 10000, 28, 28]);
    expect(train.images.length).toBe(20000 * 784);
    const perClass = (l: Uint8Array) =>
      Array.from({ length: 10 }, (_, c) => l.filter((x) => x === c).length);
    expect(perClass(test.labels)).toEqual(new Array(10).fill(1000)); //    the official test set
    const train10 = perClass(train.labels);
    expect(Math.min(...train10)).toBe(1935); //                     data/README.md: 1,935–2,068
    expect(Math.max(...train10)).toBe(2068);
    expect(train.labels[0]).toBe(9); //                 the first training image is an ankle boot
    expect(loadFashionMnist({ split: "test", limit: 5 }).count).toBe(5);
  });

  it("imageRows: step t is row t of each image, standardised", () => {
    const test = loadFashionMnist({ split: "test", limit: 3 });
    const xs = imageRows(test, [2, 0]);
    expect(xs.length).toBe(28);
    expect(xs[5].shape).toEqual([2, 28]);
    const raw = Array.from(test.images.subarray(2 * 784 + 5 * 28, 2 * 784 + 6 * 28));
    const row5 = xs[5].slice([0, 0], [1, 28]);
    expect(row5).toBeAllclose(
      raw.map((v) => (v / 255 - 0.286) / 0.353),
      { rtol: 1e-6, atol: 1e-6 },
    );
    row5.dispose();
    tf.dispose(xs);
    expect(() => imageRows(test, [3])).toThrow("imageRows: ids[0] is 3, outside the images 0..2");
  });

  it("a truncated or foreign file is named in one line", () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    const head = Buffer.alloc(16);
    head.writeInt32BE(2051, 0);
    head.writeInt32BE(2, 4);
    head.writeInt32BE(28, 8);
    head.writeInt32BE(28, 12);
    writeFileSync(
      join(dir, "t10k-images-idx3-ubyte.gz"),
      gzipSync(Buffer.concat([head, Buffer.alloc(100)])),
    );
    expect(() => loadFashionMnist({ split: "test", dir })).toThrow(
      "should hold 1568 bytes after its header (dimensions 2×28×28), has 100",
    );
    head.writeInt32BE(1234, 0);
    writeFileSync(join(dir, "t10k-images-idx3-ubyte.gz"), gzipSync(head));
    expect(() => loadFashionMnist({ split: "test", dir })).toThrow(
      "is not an IDX file with magic 2051",
    );
    writeFileSync(join(dir, "t10k-images-idx3-ubyte.gz"), "plain text");
    expect(() => loadFashionMnist({ split: "test", dir })).toThrow("is not a readable gzip file");
    expect(() => loadFashionMnist({ split: "valid" as "test" })).toThrow(
      'loadFashionMnist: split must be "train" or "test" (got "valid")',
    );
  });
});
