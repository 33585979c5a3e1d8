/**
 * PyTorch, when this machine has it: a Python that imports torch (`RNN_PYTHON`, else
 * /usr/bin/python3 — Debian's python3-torch —, else python3 on the PATH), and the model run
 * there by scripts/torch_interop.py on our inputs. Used by the interop tests and notebook 11;
 * never needed to train or run anything here.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { projectRoot } from "../project";
import { loadSafetensors, saveSafetensors } from "./safetensors";

let found: string | null | undefined;

/** A Python that imports torch, with its torch version, or undefined. */
export function torchPython(): { python: string; version: string } | undefined {
  const candidates = [process.env.RNN_PYTHON, "/usr/bin/python3", "python3"].filter(
    (c): c is string => !!c,
  );
  if (found === undefined) {
    found = null;
    for (const py of candidates) {
      const r = spawnSync(py, ["-c", "import torch; print(torch.__version__)"], {
        encoding: "utf8",
      });
      if (r.status === 0) {
        found = `${py}\n${r.stdout.trim()}`;
        break;
      }
    }
  }
  if (!found) return undefined;
  const [python, version] = found.split("\n");
  return { python, version };
}

/** xs (T × [B, D]) as one batch-first array [B, T, D]. */
export function batchFirst(xs: tf.Tensor2D[]): { shape: number[]; data: Float32Array } {
  const T = xs.length;
  const [B, D] = xs[0].shape;
  const data = new Float32Array(B * T * D);
  xs.forEach((x, t) => {
    const v = x.dataSync();
    for (let b = 0; b < B; b++) data.set(v.subarray(b * D, (b + 1) * D), (b * T + t) * D);
  });
  return { shape: [B, T, D], data };
}

/**
 * Runs scripts/torch_interop.py `command` with the given files in a temp folder: `inputs` is
 * written first as INPUTS, the script's OUT is read back. Throws with Python's last line.
 */
function runTorch(
  command: "forward" | "train",
  args: (dir: string) => string[],
  xs: tf.Tensor2D[],
): { shape: number[]; data: Float32Array } {
  const py = torchPython();
  if (!py)
    throw new Error(
      "runTorch: no Python with torch here (apt-get install python3-torch, or set RNN_PYTHON)",
    );
  const dir = mkdtempSync(join(tmpdir(), "rnnwb-torch-"));
  try {
    saveSafetensors(join(dir, "inputs.safetensors"), { x: batchFirst(xs) });
    const script = join(projectRoot(), "scripts", "torch_interop.py");
    const r = spawnSync(py.python, [script, command, ...args(dir)], { encoding: "utf8" });
    if (r.status !== 0) {
      const last = (r.stderr || r.stdout || "").trim().split("\n").pop();
      throw new Error(`runTorch: torch_interop.py ${command} failed: ${last}`);
    }
    return loadSafetensors(join(dir, "out.safetensors")).tensors.y;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** PyTorch's outputs for a saved model (saveTorch's file) on xs: [B, T, O] or [B, O]. */
export function torchForward(weights: string, xs: tf.Tensor2D[]) {
  return runTorch(
    "forward",
    (d) => [weights, join(d, "inputs.safetensors"), join(d, "out.safetensors")],
    xs,
  );
}

/**
 * A module made and trained (20 Adam steps, seed 0) by PyTorch itself from `config`, saved to
 * `weights`; returns its outputs on xs, to compare with ours after loadTorch(weights).
 */
export function torchTrain(config: object, weights: string, xs: tf.Tensor2D[]) {
  return runTorch(
    "train",
    (d) => [
      JSON.stringify(config),
      weights,
      join(d, "inputs.safetensors"),
      join(d, "out.safetensors"),
    ],
    xs,
  );
}
