/**
 * The cell catalog: every cell variant by its name (`cell.name`), made from its sizes. The
 * suites (gradient checks, leaks, checkpoints) and `charModel` take their cells from here, so a
 * new cell is its own file plus one line below.
 */
import { Cell, optionsOf } from "./cell";
import { gruResetBefore } from "./gru-reset-before";
import { GRUOptions, gruResetAfter } from "./gru";
import { LSTMOptions, plainLSTM } from "./lstm";
import { lstmVariant } from "./lstm-variants";
import { mgu } from "./mgu";
import { simpleRNN } from "./simple";

export { simpleRNN, mgu };
export type { SimpleRNNOptions } from "./simple";
export type { LSTMOptions } from "./lstm";
export type { GRUOptions } from "./gru";
export type { MGUOptions } from "./mgu";

/** An LSTM: the plain one (lstm.ts), or with peepholes / coupled gates (lstm-variants.ts). */
export function lstm(options: LSTMOptions): Cell {
  optionsOf("lstm", options);
  return options.peephole || options.coupled ? lstmVariant(options) : plainLSTM(options);
}

/** A GRU: reset-after (gru.ts, the default) or reset-before (gru-reset-before.ts). */
export function gru(options: GRUOptions): Cell {
  optionsOf("gru", options);
  return options.resetAfter === false ? gruResetBefore(options) : gruResetAfter(options);
}

export interface CellSizes {
  inputSize: number;
  hiddenSize: number;
}

/** Every variant, by name, with its default options. */
export const CELLS: Readonly<Record<string, (sizes: CellSizes) => Cell>> = {
  simple: (s) => simpleRNN(s),
  "simple+relu": (s) => simpleRNN({ ...s, activation: "relu" }),
  lstm: (s) => lstm(s),
  "lstm+peephole": (s) => lstm({ ...s, peephole: true }),
  "lstm+coupled": (s) => lstm({ ...s, coupled: true }),
  "lstm+peephole+coupled": (s) => lstm({ ...s, peephole: true, coupled: true }),
  gru: (s) => gru(s),
  "gru+reset-before": (s) => gru({ ...s, resetAfter: false }),
  mgu: (s) => mgu(s),
};

/** The cell of a catalog name, or a one-line error (from `what`) listing the names. */
export function cellByName(name: string, sizes: CellSizes, what = "cellByName"): Cell {
  const make = Object.prototype.hasOwnProperty.call(CELLS, name) ? CELLS[name] : undefined;
  if (!make)
    throw new Error(
      `${what}: cell must be one of ${Object.keys(CELLS).join(", ")} (got ${JSON.stringify(name)})`,
    );
  return make(sizes);
}
