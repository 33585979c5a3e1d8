/**
 * Checkpoints are atomic and checked (src/checkpoint-files.ts, src/checkpoint.ts): a writer
 * killed with SIGKILL at random moments leaves exactly the previous or the new checkpoint, a
 * concurrent reader never gets a mix, and a damaged or hostile checkpoint is a one-line error.
 */
import { fork } from "child_process";
import { readdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../src/backend";
import { loadCheckpoint, saveCheckpoint } from "../src/checkpoint";
import { commitCheckpoint } from "../src/checkpoint-files";
import { disposeAll } from "../src/layer";
import { projectRoot } from "../src/project";
import { checkLeaks, tempDir } from "./helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

const writer = join(projectRoot(), "test", "fixtures", "checkpoint-writer.mjs");
const dist = join(projectRoot(), "dist");

/** The checkpoint in dir must be whole: meta.step k and every value of w equal to k. */
function expectWhole(dir: string): number {
  const ck = loadCheckpoint<{ step: number }>(dir);
  const k = ck.meta.step;
  const v = ck.params.w.dataSync();
  const mixed = v.findIndex((x) => x !== k);
  disposeAll(ck.params);
  expect(mixed, `checkpoint ${k}: value ${mixed} differs`).toBe(-1);
  return k;
}

/** Runs the writer until it has committed `after` checkpoints past `start`, plus a random delay, then kills it. */
function killWriter(dir: string, start: number, delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = fork(writer, [dist, dir, String(start)], { stdio: "ignore" });
    let last = start - 1;
    let armed = false;
    child.on("message", (k) => {
      last = k as number;
      if (!armed) {
        armed = true; //                                       committed at least one: kill soon
        setTimeout(() => child.kill("SIGKILL"), delayMs);
      }
    });
    child.on("exit", () => resolve(last));
    child.on("error", reject);
  });
}

describe("atomic saves", () => {
  it("SIGKILL at 60 random moments leaves the previous or the new checkpoint, whole", async () => {
    const dir = tempDir();
    let start = 0;
    let committed = -1;
    for (let i = 0; i < 60; i++) {
      const last = await killWriter(dir, start, Math.floor(Math.random() * 15));
      const k = expectWhole(dir);
      // the one on disk is the last one reported committed, or the one after it (killed
      // between its commit and the report), never older
      expect(k, `kill ${i}`).toBeGreaterThanOrEqual(last);
      expect(k).toBeLessThanOrEqual(last + 1);
      expect(k).toBeGreaterThan(committed);
      committed = k;
      start = k + 1;
    }
    // a kill may land before the clean-up: the next save removes the weights no manifest names
    // but the current and the previous one (temporaries only once they are a minute old)
    commitCheckpoint(dir, new Float32Array(3).fill(start), {
      meta: { step: start },
      tensors: [{ name: "w", shape: [3], offset: 0, length: 3 }],
    });
    const weights = readdirSync(dir).filter((f) => /^weights-[0-9a-f]{16}\.bin$/.test(f));
    expect(weights.length).toBe(2);
    expect(expectWhole(dir)).toBe(start);
  }, 60_000);

  it("a reader loading while a writer saves never gets a mix", async () => {
    const dir = tempDir();
    commitCheckpoint(dir, new Float32Array(10).fill(-1), {
      meta: { step: -1 },
      tensors: [{ name: "w", shape: [10], offset: 0, length: 10 }],
    });
    const child = fork(writer, [dist, dir, "0"], { stdio: "ignore" });
    const seen = new Set<number>();
    const until = Date.now() + 1500;
    let loads = 0;
    try {
      while (Date.now() < until) {
        seen.add(expectWhole(dir));
        loads++;
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      child.kill("SIGKILL");
    }
    expect(loads).toBeGreaterThan(20);
    expect(seen.size).toBeGreaterThan(2); //                     it did see the writer's progress
  }, 30_000);
});

describe("loading rejects what is damaged or hostile, in one line", () => {
  /** A checkpoint of w = [1, 2, 3, 4] and b = [5, 6] whose manifest `edit` changes. */
  function edited(
    edit: (m: Record<string, unknown> & { tensors: Record<string, unknown>[] }) => void,
  ) {
    const dir = tempDir();
    commitCheckpoint(dir, Float32Array.from([1, 2, 3, 4, 5, 6]), {
      meta: {},
      tensors: [
        { name: "b", shape: [2], offset: 4, length: 2 },
        { name: "w", shape: [2, 2], offset: 0, length: 4 },
      ],
    });
    const path = join(dir, "checkpoint.json");
    const m = JSON.parse(readFileSync(path, "utf8"));
    edit(m);
    writeFileSync(path, JSON.stringify(m));
    return dir;
  }

  /* eslint-disable @typescript-eslint/no-explicit-any -- manifests edited as plain JSON */
  it.each([
    [
      "a name that changes objects",
      (m: any) => (m.tensors[0].name = "__proto__"),
      /tensor __proto__ has a name a parameter cannot have/,
    ],
    ["a name twice", (m: any) => (m.tensors[0].name = "w"), /tensor w is listed twice/],
    [
      "an offset past the end",
      (m: any) => (m.tensors[0].offset = 1e9),
      /offset 1000000000 and length 2, outside the 6 values/,
    ],
    ["a negative offset", (m: any) => (m.tensors[0].offset = -1), /offset -1 and length 2/],
    ["overlapping tensors", (m: any) => (m.tensors[0].offset = 3), /tensors w and b overlap/],
    [
      "a shape that is not a list",
      (m: any) => (m.tensors[1].shape = "2,2"),
      /has shape "2,2"; expected a list of whole numbers/,
    ],
    [
      "a shape of other size",
      (m: any) => (m.tensors[1].shape = [3]),
      /has shape \[3\] but 4 values/,
    ],
    [
      "another checksum",
      (m: any) => (m.weights.sha256 = "0".repeat(64)),
      /is damaged \(24 bytes, SHA-256 does not match/,
    ],
    [
      "a weights file elsewhere",
      (m: any) => (m.weights.file = "../../etc/passwd"),
      /names a weights file "..\/..\/etc\/passwd" outside the checkpoint/,
    ],
    ["another format", (m: any) => (m.format = "keras"), /is not an rnn-workbook\/checkpoint file/],
  ])("%s", (_what, edit, message) => {
    /* eslint-enable @typescript-eslint/no-explicit-any */
    const dir = edited(edit as never);
    expect(() => loadCheckpoint(dir)).toThrow(message);
  });

  it("NaN weights are refused unless asked for", () => {
    const dir = tempDir();
    commitCheckpoint(dir, Float32Array.from([1, NaN]), {
      meta: {},
      tensors: [{ name: "w", shape: [2], offset: 0, length: 2 }],
    });
    expect(() => loadCheckpoint(dir)).toThrow(
      "loadCheckpoint: w holds NaN or infinite values; pass { allowNonFinite: true } to load it anyway",
    );
    const ck = loadCheckpoint(dir, { allowNonFinite: true });
    expect(Number.isNaN(ck.params.w.dataSync()[1])).toBe(true);
    disposeAll(ck.params);
  });

  it("a version 1 checkpoint (weights.bin, no checksum) still loads; saving over it replaces it", () => {
    const dir = tempDir();
    const v1 = {
      format: "rnn-workbook/checkpoint",
      version: 1,
      meta: { step: 3 },
      tensors: [{ name: "w", shape: [2], offset: 0, length: 2 }],
    };
    writeFileSync(join(dir, "checkpoint.json"), JSON.stringify(v1));
    const bin = Buffer.alloc(8);
    bin.writeFloatLE(1.5, 0);
    bin.writeFloatLE(-2, 4);
    writeFileSync(join(dir, "weights.bin"), bin);
    const ck = loadCheckpoint<{ step: number }>(dir);
    expect(ck.meta.step).toBe(3);
    expect(ck.params.w).toBeAllclose([1.5, -2], { rtol: 0, atol: 0 });
    saveCheckpoint(dir, ck.params, { step: 4 });
    expect(readdirSync(dir)).not.toContain("weights.bin");
    const again = loadCheckpoint<{ step: number }>(dir);
    expect(again.meta.step).toBe(4);
    disposeAll(ck.params, again.params);
  });
});
