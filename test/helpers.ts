/**
 * Shared test helpers: tolerances for `toBeAllclose` (the matcher itself is in setup.ts), leak
 * checks, gradient relative error, temp dirs, output capture.
 */
import { mkdirSync, mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeEach, expect } from "vitest";
import { MimeBundle, OutputSink, setOutputSink } from "../src/notebook/display";
import { projectRoot } from "../src/project";
import { setFused } from "../src/fast/policy";
import type { LossAndGrads } from "../src/model";

/**
 * Registers a leak check around every test of the calling suite: tf.memory().numTensors after
 * the test equals its value before it (a test that throws is checked too).
 */
export function checkLeaks(): void {
  let start = 0;
  beforeEach(() => {
    start = tf.memory().numTensors;
  });
  afterEach(() => {
    const now = tf.memory().numTensors;
    expect(now, `the test leaked ${now - start} tensor(s)`).toBe(start);
  });
}

/**
 * `toBeAllclose` tolerances for two computations of the same float32 values that should agree to
 * rounding (the scan against a manual loop, chunked against whole, reversed against direct).
 */
export const EXACT = { rtol: 1e-6, atol: 1e-7 } as const;

export function tempDir(prefix = "rnnwb-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A temp folder inside the project (gitignored `.vitest-tmp/`): notebooks must live in the
 * project to resolve `import * as rnn from "rnn-workbook"`, as real ones in notebooks/ do.
 */
export function projectTempDir(): string {
  const base = join(projectRoot(), ".vitest-tmp");
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, "nb-"));
}

/** ‖a − b‖₂ / max(‖a‖₂, ‖b‖₂, floor): the relative error of a whole gradient tensor. */
export { relativeError as relError } from "../src/gradcheck";

export interface Captured {
  bundle: MimeBundle;
  metadata: Record<string, unknown>;
  displayId: string | undefined;
  update: boolean;
}

/** Captures display outputs as if in a kernel (rich) while `fn` runs. */
export async function captureOutputs(fn: () => unknown, rich = true): Promise<Captured[]> {
  const got: Captured[] = [];
  const sink: OutputSink = {
    rich,
    write: (bundle, metadata, displayId, update) =>
      got.push({ bundle, metadata, displayId, update }),
  };
  const prev = setOutputSink(sink);
  try {
    await fn();
  } finally {
    setOutputSink(prev);
  }
  return got;
}

/**
 * Runs `run` (one lossAndGrads) on the fast path and again with the reference ops, asserts the
 * same loss and gradients (rtol 1e-4), and returns both results (the caller disposes them).
 */
export function expectFusedMatchesReference(run: () => LossAndGrads): {
  fast: LossAndGrads;
  ref: LossAndGrads;
} {
  const fast = run();
  setFused(false);
  let ref: LossAndGrads;
  try {
    ref = run();
  } finally {
    setFused(true);
  }
  expect(fast.loss).toBeCloseTo(ref.loss, 5);
  for (const k of Object.keys(ref.grads))
    expect(fast.grads[k], k).toBeAllclose(ref.grads[k], { rtol: 1e-4, atol: 1e-6 });
  return { fast, ref };
}
