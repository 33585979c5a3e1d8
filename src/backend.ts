/**
 * Backend choice: tensorflow (tfjs-node-gpu) if it loads, else wasm (the embedded default),
 * else cpu. `RNN_BACKEND=tensorflow|wasm|cpu` forces one.
 *
 * There is one tfjs engine in the process: danfojs-node's `@tensorflow/tfjs-node` is mapped to
 * the same `@tensorflow/tfjs` by package.json overrides, so its tensors and ours share
 * `@tensorflow/tfjs-core`.
 */
import * as tf from "@tensorflow/tfjs";

export type BackendName = "tensorflow" | "wasm" | "cpu";
export const BACKENDS: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

const INSTALL_HINT: Record<BackendName, string> = {
  tensorflow:
    "npm install @tensorflow/tfjs-node-gpu (needs network for libtensorflow, CUDA 11.2 and cuDNN 8.1)",
  wasm: "npm install @tensorflow/tfjs-backend-wasm@4.22.0",
  cpu: "npm install @tensorflow/tfjs@4.22.0",
};

/** Loads the module that registers a backend; returns an error message, or null when loaded. */
function loadBackendModule(name: BackendName): string | null {
  try {
    // Loaded on demand: tfjs-node-gpu is optional, and each module registers its backend.
    /* eslint-disable @typescript-eslint/no-require-imports */
    if (name === "tensorflow") require("@tensorflow/tfjs-node-gpu");
    else if (name === "wasm") require("@tensorflow/tfjs-backend-wasm");
    /* eslint-enable @typescript-eslint/no-require-imports */
    return null;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "MODULE_NOT_FOUND") return "not installed";
    return err.message.split("\n")[0];
  }
}

/** Reads and validates `RNN_BACKEND`; undefined when unset. */
export function requestedBackend(env: NodeJS.ProcessEnv = process.env): BackendName | undefined {
  const v = (env.RNN_BACKEND ?? "").trim();
  if (v === "") return undefined;
  if (!(BACKENDS as readonly string[]).includes(v)) {
    throw new Error(`RNN_BACKEND must be one of ${BACKENDS.join(", ")} (got "${v}")`);
  }
  return v as BackendName;
}

async function tryBackend(name: BackendName): Promise<string | null> {
  const loadError = loadBackendModule(name);
  if (loadError !== null) return loadError;
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return "failed to initialise";
    await tf.ready();
    return null;
  } catch (e) {
    return (e as Error).message.split("\n")[0];
  }
}

let active: Promise<BackendName> | undefined;

/**
 * Picks and initialises the backend once per process and returns its name.
 * Forced with `RNN_BACKEND` (or `force`), a backend that does not load is a one-line error
 * saying what to install.
 */
export function initBackend(force?: BackendName): Promise<BackendName> {
  if (force === undefined && active !== undefined) {
    // re-select the chosen backend in case one was forced since
    return active.then(async (name) => {
      if (tf.getBackend() !== name) await tf.setBackend(name);
      return name;
    });
  }
  const run = async (): Promise<BackendName> => {
    const wanted = force ?? requestedBackend();
    if (wanted !== undefined) {
      const err = await tryBackend(wanted);
      if (err !== null) {
        throw new Error(`backend "${wanted}" is unavailable (${err}): ${INSTALL_HINT[wanted]}`);
      }
      return wanted;
    }
    for (const name of BACKENDS) {
      if ((await tryBackend(name)) === null) return name;
    }
    throw new Error(`no tfjs backend could be initialised: ${INSTALL_HINT.wasm}`);
  };
  const p = run();
  if (force === undefined) {
    active = p;
    p.catch(() => (active = undefined));
  }
  return p;
}

/** The tfjs module the library uses (the one and only engine). */
export { tf };
