// npm run kernel [-- --prefix DIR]: registers the Jupyter kernelspec "rnn-workbook", which runs
// this project's own tslab with this Node (no global install, no PATH lookup).
// Default location: $JUPYTER_DATA_DIR/kernels, else ~/.local/share/jupyter/kernels.
import { mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The kernelspec JSON for this checkout. */
export function kernelSpec() {
  return {
    argv: [
      process.execPath,
      join(root, "node_modules", "tslab", "bin", "tslab"),
      "kernel",
      "--config-path",
      "{connection_file}",
    ],
    display_name: "TypeScript (rnn-workbook)",
    language: "typescript",
    metadata: { debugger: false },
  };
}

/** Writes the kernelspec under `kernelsDir/rnn-workbook`; returns that folder. */
export function installKernel(kernelsDir) {
  const dir = join(kernelsDir, "rnn-workbook");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "kernel.json"), JSON.stringify(kernelSpec(), null, 2) + "\n");
  return dir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const i = args.indexOf("--prefix");
  const kernelsDir =
    i >= 0
      ? join(args[i + 1], "share", "jupyter", "kernels")
      : join(
          process.env.JUPYTER_DATA_DIR ?? join(homedir(), ".local", "share", "jupyter"),
          "kernels",
        );
  const dir = installKernel(kernelsDir);
  console.log(`registered kernel "TypeScript (rnn-workbook)" in ${dir}`);
  const list = spawnSync("jupyter", ["kernelspec", "list"], { encoding: "utf8" });
  if (list.status === 0) console.log(list.stdout.trim());
  else
    console.log(
      "(jupyter not found: install JupyterLab to use the kernel interactively, see README)",
    );
}
