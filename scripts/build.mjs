// Builds src/ into dist/ and links node_modules/rnn-workbook -> ../dist, so notebooks
// (compiled by tslab with rootDir = their own folder) can `import * as rnn from "rnn-workbook"`.
// Runs from `npm install` / `npm ci` (prepare), `npm test`, `npm run notebooks`.
// Usage: node scripts/build.mjs [--watch]
import { spawnSync, spawn } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  readdirSync,
  writeFileSync,
  lstatSync,
  rmSync,
  symlinkSync,
  readlinkSync,
} from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const tsc = join(dirname(require.resolve("typescript/package.json")), "bin", "tsc");
const args = [tsc, "-p", join(root, "tsconfig.build.json")];

function link() {
  mkdirSync(join(root, "dist"), { recursive: true });
  // the SIMD kernels' binaries (src/fast/*.wasm, compiled from their .wat by `npm run wasm`)
  for (const f of readdirSync(join(root, "src", "fast")).filter((n) => n.endsWith(".wasm")))
    cpSync(join(root, "src", "fast", f), join(root, "dist", "fast", f));
  const pkg = { name: "rnn-workbook", private: true, main: "index.js", types: "index.d.ts" };
  writeFileSync(join(root, "dist", "package.json"), JSON.stringify(pkg, null, 2) + "\n");
  const linkPath = join(root, "node_modules", "rnn-workbook");
  const target = join("..", "dist");
  let current = null;
  try {
    if (lstatSync(linkPath).isSymbolicLink()) current = readlinkSync(linkPath);
    else current = "(not a link)";
  } catch {
    current = null;
  }
  if (current !== target) {
    if (current !== null) rmSync(linkPath, { recursive: true, force: true });
    mkdirSync(dirname(linkPath), { recursive: true });
    symlinkSync(target, linkPath, "dir");
  }
}

if (process.argv.includes("--watch")) {
  link();
  spawn(process.execPath, [...args, "--watch", "--preserveWatchOutput"], { stdio: "inherit" });
} else {
  rmSync(join(root, "dist"), { recursive: true, force: true });
  const r = spawnSync(process.execPath, args, { stdio: "inherit" });
  if (r.status !== 0) {
    console.error("build failed: fix the TypeScript errors above in src/ and run `npm run build`");
    process.exit(r.status ?? 1);
  }
  link();
}
