/**
 * The cells with fast steps, by cell name (src/cells/index.ts names them). A cell not listed,
 * or whose entry returns undefined (an LSTM with H < 4), runs its reference step.
 */
import type { Cell } from "../cells/cell";
import { fastGRU } from "./gru";
import { fastGRUResetBefore } from "./gru-reset-before";
import { fastLSTM } from "./lstm";
import { fastSimple } from "./simple";
import type { FastSteps } from "./steps";

export const FAST_CELLS: Readonly<Record<string, (cell: Cell) => FastSteps | undefined>> = {
  simple: fastSimple,
  "simple+relu": fastSimple,
  lstm: fastLSTM,
  gru: fastGRU,
  "gru+reset-before": fastGRUResetBefore,
};
