/**
 * The files of a checkpoint, written so that a reader only ever sees a whole checkpoint: the
 * old one or the new one (never a mix, never a half-written file), whenever the writer dies.
 * No tfjs here: values in, values out.
 *
 *   DIR/weights-<sha256 prefix>.bin   the float32 values (little-endian), named by their hash:
 *                                     written to a temporary name, fsynced, renamed; never
 *                                     changed after that
 *   DIR/checkpoint.json               the manifest: the tensor table, the weights file's name,
 *                                     size and SHA-256; written to a temporary name, fsynced,
 *                                     renamed over the old one (the commit), then the
 *                                     directory is fsynced
 *
 * The one rename of checkpoint.json is the commit: before it a reader gets the old manifest and
 * its weights, after it the new ones. The weights of the checkpoint before are kept (a reader
 * that read the old manifest can still read them); older weights and temporaries left by a
 * killed writer are removed at the next save. The checksum is verified on every load.
 */
import { createHash, randomBytes } from "crypto";
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
  mkdirSync,
} from "fs";
import { join } from "path";

export const CHECKPOINT_FORMAT = "rnn-workbook/checkpoint";
export const MANIFEST = "checkpoint.json";

export interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

export interface Manifest {
  format: string;
  version: number;
  meta: unknown;
  tensors: TensorEntry[];
  /** Version 2: the weights file, its size in bytes and its SHA-256 (hex). */
  weights?: { file: string; bytes: number; sha256: string };
  optimizer?: { name: string; iterations: number };
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const TEMP = ".tmp-"; //                                    in the names of unfinished files

/** Writes `data` to a temporary file beside `path`, fsyncs it and renames it to `path`. */
export function writeAtomically(path: string, data: Buffer | string): void {
  const temp = `${path}${TEMP}${process.pid}-${randomBytes(4).toString("hex")}`;
  const fd = openSync(temp, "w");
  try {
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    for (let at = 0; at < buf.length;) at += writeSync(fd, buf, at, buf.length - at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/** fsync of a directory: makes its renames durable (a no-op where the OS refuses it). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // some platforms cannot open or fsync a directory; the renames are still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The manifest in `dir`, or undefined when there is none (or it is unreadable). */
function currentManifest(dir: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")) as Manifest;
  } catch {
    return undefined;
  }
}

/** Float32 values as little-endian bytes. */
function toBytes(values: Float32Array): Buffer {
  const b = Buffer.alloc(values.length * 4);
  for (let k = 0; k < values.length; k++) b.writeFloatLE(values[k], k * 4);
  return b;
}

/** Commits a checkpoint: the weights, then the manifest that names them (see above). */
export function commitCheckpoint(
  dir: string,
  values: Float32Array,
  head: Omit<Manifest, "format" | "version" | "weights">,
): void {
  mkdirSync(dir, { recursive: true });
  const before = currentManifest(dir);
  const bytes = toBytes(values);
  const hash = sha256(bytes);
  const file = `weights-${hash.slice(0, 16)}.bin`;
  if (!existsSync(join(dir, file))) writeAtomically(join(dir, file), bytes);
  const manifest: Manifest = {
    format: CHECKPOINT_FORMAT,
    version: 2,
    ...head,
    weights: { file, bytes: bytes.length, sha256: hash },
  };
  writeAtomically(join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + "\n");
  syncDir(dir);
  // keep the new weights and the previous ones (a reader may have the previous manifest)
  const keep = new Set([file, before?.weights?.file]);
  const now = Date.now();
  for (const f of readdirSync(dir)) {
    const stale = f.includes(TEMP) && now - statSync(join(dir, f)).mtimeMs > 60_000;
    const oldWeights = /^weights-[0-9a-f]{16}\.bin$/.test(f) && !keep.has(f);
    const legacy = f === "weights.bin"; //                          version 1's weights
    if (stale || oldWeights || legacy) rmSync(join(dir, f), { force: true });
  }
}

/**
 * Reads the manifest and the weights it names, checked: size and SHA-256. If the writer
 * replaced the checkpoint between the two reads (the weights named are gone), it reads again.
 */
export function readCheckpoint(dir: string): {
  head: Manifest;
  bytes: Buffer;
  weightsPath: string;
} {
  const jsonPath = join(dir, MANIFEST);
  for (let attempt = 0; ; attempt++) {
    if (!existsSync(jsonPath))
      throw new Error(
        `loadCheckpoint: ${jsonPath} does not exist; save one with saveCheckpoint(dir, params, meta)`,
      );
    let head: Manifest;
    try {
      head = JSON.parse(readFileSync(jsonPath, "utf8"));
    } catch (e) {
      throw new Error(`loadCheckpoint: ${jsonPath} is not valid JSON (${(e as Error).message})`);
    }
    const ok =
      head?.format === CHECKPOINT_FORMAT &&
      Array.isArray(head.tensors) &&
      (head.version === 1 || (head.version === 2 && typeof head.weights?.file === "string"));
    if (!ok)
      throw new Error(
        `loadCheckpoint: ${jsonPath} is not an ${CHECKPOINT_FORMAT} file (version 1 or 2)`,
      );
    const file = head.version === 1 ? "weights.bin" : (head.weights as { file: string }).file;
    if (!/^weights(-[0-9a-f]{16})?\.bin$/.test(file))
      throw new Error(
        `loadCheckpoint: ${jsonPath} names a weights file "${file}" outside the checkpoint`,
      );
    const weightsPath = join(dir, file);
    let bytes: Buffer;
    try {
      bytes = readFileSync(weightsPath);
    } catch (e) {
      const gone = (e as NodeJS.ErrnoException).code === "ENOENT";
      if (gone && head.version === 2 && attempt < 5) continue; //    replaced meanwhile: again
      throw new Error(
        `loadCheckpoint: ${weightsPath} ${gone ? "does not exist" : `cannot be read (${(e as Error).message})`}; the checkpoint is incomplete`,
      );
    }
    if (head.version === 2) {
      const w = head.weights as NonNullable<Manifest["weights"]>;
      if (bytes.length !== w.bytes || sha256(bytes) !== w.sha256)
        throw new Error(
          `loadCheckpoint: ${weightsPath} is damaged (${bytes.length} bytes, SHA-256 does not match the manifest's)`,
        );
    }
    return { head, bytes, weightsPath };
  }
}
