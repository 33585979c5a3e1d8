/** Every cell variant of the library's catalog (src/cells/index.ts), at small sizes. */
import { CELLS as LIBRARY } from "../../src/cells";
import { Cell } from "../../src/cells/cell";

export const D = 4;
export const H = 6;
export const CELLS: Record<string, () => Cell> = Object.fromEntries(
  Object.entries(LIBRARY).map(([name, make]) => [
    name,
    () => make({ inputSize: D, hiddenSize: H }),
  ]),
);
