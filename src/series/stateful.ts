/**
 * The stateful batch layout: the series laid out as B contiguous streams, so that row i of
 * batch k + 1 continues row i of batch k exactly, and the carry at the end of one batch is
 * the right starting state for the next.
 *
 *   stream i = x[i·L … (i+1)·L − 1],  L = ⌊n / B⌋
 *   batch k, row i = stream i, steps k·s … k·s + s − 1
 *
 * Layouts are index arrays [batch][row][step] into the series; `checkContinuity` validates any
 * layout, and rejects the step-1-overlap layout of the Keras book and the old Keras stateful
 * example, where row i of batch k + 1 is a window starting (batch size) readings later.
 */

/** batches[k][i][j]: index into the series of row i, step j of batch k. */
export type Layout = number[][][];

/** B streams over the n readings from `start` on: every index lies in [start, start + n). */
export function statefulLayout(
  n: number,
  { streams, steps, start = 0 }: { streams: number; steps: number; start?: number },
): Layout {
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`statefulLayout: n must be a non-negative integer (got ${n})`);
  if (!Number.isInteger(start) || start < 0)
    throw new Error(`statefulLayout: start must be a non-negative integer (got ${start})`);
  if (!Number.isInteger(streams) || streams <= 0)
    throw new Error(`statefulLayout: streams must be a positive integer (got ${streams})`);
  if (!Number.isInteger(steps) || steps <= 0)
    throw new Error(`statefulLayout: steps must be a positive integer (got ${steps})`);
  const L = Math.floor(n / streams);
  const batches = Math.floor(L / steps);
  if (batches === 0)
    throw new Error(
      `statefulLayout: ${n} readings give streams of ${L}, shorter than one batch of ${steps} steps; use fewer streams or steps`,
    );
  return Array.from({ length: batches }, (_, k) =>
    Array.from({ length: streams }, (_, i) =>
      Array.from({ length: steps }, (_, j) => start + i * L + k * steps + j),
    ),
  );
}

/**
 * The Keras-book layout: windows of `inputs` readings starting one step apart, `batch` windows
 * per batch. Every index lies in [0, n − 1), leaving each window's next reading as its target.
 */
export function overlappingLayout(
  n: number,
  { inputs, batch }: { inputs: number; batch: number },
): Layout {
  for (const [name, v] of [
    ["inputs", inputs],
    ["batch", batch],
  ] as const)
    if (!Number.isInteger(v) || v <= 0)
      throw new Error(`overlappingLayout: ${name} must be a positive integer (got ${v})`);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`overlappingLayout: n must be a non-negative integer (got ${n})`);
  if (n - inputs < batch)
    throw new Error(
      `overlappingLayout: ${n} readings give ${Math.max(0, n - inputs)} windows of ${inputs} (each with a target after it), fewer than one batch of ${batch}; use fewer inputs or a smaller batch`,
    );
  const windows = n - inputs;
  return Array.from({ length: Math.floor(windows / batch) }, (_, k) =>
    Array.from({ length: batch }, (_, i) =>
      Array.from({ length: inputs }, (_, j) => k * batch + i + j),
    ),
  );
}

export interface Continuity {
  ok: boolean;
  /** Why not, naming the first place it breaks. */
  reason?: string;
}

/** Checks that every row steps by 1 and that row i of batch k + 1 starts right after row i of batch k. */
export function checkContinuity(layout: Layout): Continuity {
  for (let k = 0; k < layout.length; k++) {
    const batch = layout[k];
    if (k > 0 && batch.length !== layout[k - 1].length)
      return {
        ok: false,
        reason: `batch ${k} has ${batch.length} rows, batch ${k - 1} has ${layout[k - 1].length}`,
      };
    for (let i = 0; i < batch.length; i++) {
      const row = batch[i];
      for (let j = 1; j < row.length; j++) {
        if (row[j] !== row[j - 1] + 1)
          return {
            ok: false,
            reason: `batch ${k} row ${i} jumps from ${row[j - 1]} to ${row[j]} at step ${j}`,
          };
      }
      if (k > 0) {
        const prev = layout[k - 1][i];
        const expected = prev[prev.length - 1] + 1;
        if (row[0] !== expected)
          return {
            ok: false,
            reason: `batch ${k} row ${i} starts at index ${row[0]}, but row ${i} of batch ${k - 1} ended at ${expected - 1} (expected ${expected})`,
          };
      }
    }
  }
  return { ok: true };
}
