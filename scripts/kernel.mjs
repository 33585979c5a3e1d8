// npm run kernel [-- --prefix DIR] [--name NAME]: registers a Jupyter kernelspec (default name
// "rnn-workbook") that runs this checkout's kernel (scripts/kernel/tslab-kernel.mjs: tslab's
// TypeScript engine behind the project's protocol layer) with this Node, no PATH lookup.
// Where: DIR/share/jupyter/kernels with --prefix, else $JUPYTER_DATA_DIR/kernels (when set and
// not empty), else ~/.local/share/jupyter/kernels.
import { mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const KERNEL_ENTRY = join(root, "scripts", "kernel", "tslab-kernel.mjs");
export const DEFAULT_NAME = "rnn-workbook";

/** The kernelspec JSON for this checkout; `name` other than the default shows in the title. */
export function kernelSpec(name = DEFAULT_NAME) {
  return {
    argv: [process.execPath, KERNEL_ENTRY, "--config-path", "{connection_file}"],
    display_name:
      name === DEFAULT_NAME ? "TypeScript (rnn-workbook)" : `TypeScript (rnn-workbook: ${name})`,
    language: "typescript",
    interrupt_mode: "signal",
    metadata: { debugger: false },
  };
}

/** Writes the kernelspec under `kernelsDir/NAME`; returns that folder. */
export function installKernel(kernelsDir, name = DEFAULT_NAME) {
  const dir = join(kernelsDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "kernel.json"), JSON.stringify(kernelSpec(name), null, 2) + "\n");
  return dir;
}

/**
 * Parses the command line into { kernelsDir, name }; throws a one-line error for a bad one.
 * `env` is the environment (JUPYTER_DATA_DIR), `home` the home folder.
 */
export function parseKernelArgs(args, env = process.env, home = homedir()) {
  let prefix = null;
  let name = DEFAULT_NAME;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      const v = args[i + 1];
      if (v === undefined || v === "" || v.startsWith("--"))
        throw new Error(
          `${a} needs a value: npm run kernel -- ${a} ${a === "--name" ? "NAME" : "DIR"}`,
        );
      i += 1;
      return v;
    };
    if (a === "--prefix") prefix = value();
    else if (a.startsWith("--prefix=")) prefix = a.slice("--prefix=".length);
    else if (a === "--name") name = value();
    else if (a.startsWith("--name=")) name = a.slice("--name=".length);
    else throw new Error(`unknown argument ${a}: use --prefix DIR and/or --name NAME`);
  }
  if (prefix === "") throw new Error("--prefix needs a value: npm run kernel -- --prefix DIR");
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    throw new Error(`--name ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-' only`);
  const dataDir = env.JUPYTER_DATA_DIR
    ? env.JUPYTER_DATA_DIR
    : join(home, ".local", "share", "jupyter");
  const kernelsDir =
    prefix !== null
      ? join(resolve(prefix), "share", "jupyter", "kernels")
      : join(resolve(dataDir), "kernels");
  return { kernelsDir, name };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let opts;
  try {
    opts = parseKernelArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`npm run kernel: ${e.message}`);
    process.exit(2);
  }
  const dir = installKernel(opts.kernelsDir, opts.name);
  console.log(`registered kernel "${opts.name}" (${kernelSpec(opts.name).display_name}) in ${dir}`);
  const list = spawnSync("jupyter", ["kernelspec", "list"], { encoding: "utf8" });
  if (list.status === 0) console.log(list.stdout.trim());
  else
    console.log(
      "(jupyter not found: install JupyterLab or Notebook to use the kernel interactively, see README)",
    );
}
