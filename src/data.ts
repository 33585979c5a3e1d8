/**
 * Loaders for the datasets shipped in `data/` (see data/README.md). Each checks that the file
 * exists and has the expected shape; a missing or malformed file is a one-line error that
 * names the path.
 */
import { existsSync, readFileSync, statSync } from "fs";
import { isAbsolute, join } from "path";
import { dataDir } from "./project";
import { wallClockMinutes } from "./series/check";

/** Electricity use of client MT_251, one reading per quarter hour. */
export interface ElectricitySeries {
  /** Local (Portuguese) time at the END of each quarter hour, "YYYY-MM-DD HH:MM:SS". */
  timestamps: string[];
  /** Mean power over the quarter hour, kW. */
  kW: Float64Array;
}

function resolve(path: string): string {
  return isAbsolute(path) ? path : join(dataDir(), path);
}

function readOrThrow(path: string, what: string): string {
  if (!existsSync(path)) {
    throw new Error(
      `${what}: ${path} does not exist: restore it from git (git checkout -- data) or see data/README.md`,
    );
  }
  if (statSync(path).isDirectory()) {
    throw new Error(`${what}: ${path} is a directory: pass the path of the file inside it`);
  }
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`${what}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
/** A plain decimal: optional minus, digits, optional fraction and exponent (no hex, no spaces). */
const DECIMAL = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * Loads `data/electricity/MT_251_15min.csv` (columns `timestamp,kW`; a UTF-8 byte-order mark
 * before the header is dropped). Timestamps must be real times (no month 13 or Feb 30) and
 * readings plain decimals (not "0x1F", " 5 ", "1e" or ""); the first bad cell is named by line
 * and column.
 */
export function loadElectricity({
  path = "electricity/MT_251_15min.csv",
}: { path?: string } = {}): ElectricitySeries {
  const file = resolve(path);
  const text = readOrThrow(file, "electricity data").replace(/^\uFEFF/, ""); // a BOM, if any
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  if (lines[0] !== "timestamp,kW") {
    throw new Error(
      `electricity data: ${file} line 1: expected the header "timestamp,kW", got ${JSON.stringify(lines[0]?.slice(0, 60))}`,
    );
  }
  if (lines.length < 2) throw new Error(`electricity data: ${file} has a header but no readings`);
  const n = lines.length - 1;
  const timestamps = new Array<string>(n);
  const kW = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const line = lines[i + 1];
    const comma = line.indexOf(",");
    const ts = line.slice(0, comma);
    const raw = line.slice(comma + 1);
    const at = `electricity data: ${file} line ${i + 2}`;
    if (comma < 0 || !TIMESTAMP.test(ts) || raw.includes(",")) {
      throw new Error(
        `${at}: expected "YYYY-MM-DD HH:MM:SS,<kW>", got ${JSON.stringify(line.slice(0, 60))}`,
      );
    }
    try {
      wallClockMinutes(ts);
    } catch (e) {
      throw new Error(`${at} column 1 (timestamp): ${(e as Error).message}`);
    }
    const v = Number(raw);
    if (!DECIMAL.test(raw) || !Number.isFinite(v)) {
      throw new Error(
        `${at} column 2 (kW): ${JSON.stringify(raw.slice(0, 40))} is not a finite decimal number like 12.5 (no spaces, hex or missing digits)`,
      );
    }
    timestamps[i] = ts;
    kW[i] = v;
  }
  return { timestamps, kW };
}

/** The texts shipped in data/text/. */
export const TEXTS = {
  alice: "text/alice_in_wonderland.txt",
  shakespeare: "text/tinyshakespeare.txt",
} as const;

/**
 * Loads a text as a string with the UTF-8 byte-order mark removed and CRLF turned into LF.
 * `name` is "alice", "shakespeare" or a path (relative to data/).
 */
export function loadText(name: keyof typeof TEXTS | string): string {
  const file = resolve(name in TEXTS ? TEXTS[name as keyof typeof TEXTS] : name);
  const text = readOrThrow(file, "text data");
  const clean = text.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n");
  if (clean.trim().length === 0) throw new Error(`text data: ${file} is empty`);
  if (clean.includes("\uFFFD")) throw new Error(`text data: ${file} is not valid UTF-8`);
  return clean;
}
