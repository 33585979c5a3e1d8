// npm run wasm [-- --check]
// Compiles every src/fast/NAME.wat (WebAssembly text with SIMD) to src/fast/NAME.wasm, the
// binary the library loads (the build copies it to dist/fast). With --check nothing is
// written; it exits 1 naming each binary that differs from what its .wat compiles to.
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import wabtInit from "wabt";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "fast");

/** The binary of one .wat file. */
let wabt = null; //                                                      initialised once
export async function compileWat(file) {
  wabt ??= await wabtInit();
  const mod = wabt.parseWat(file, readFileSync(file, "utf8"), { simd: true, bulk_memory: true });
  try {
    mod.resolveNames();
    mod.validate();
    return Buffer.from(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes("--check");
  let stale = 0;
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".wat"))) {
    const wat = join(dir, name);
    const out = wat.replace(/\.wat$/, ".wasm");
    const bin = await compileWat(wat);
    if (check) {
      if (!existsSync(out) || !bin.equals(readFileSync(out))) {
        console.error(`${out} is not what ${name} compiles to: run \`npm run wasm\``);
        stale++;
      }
    } else {
      writeFileSync(out, bin);
      console.log(`${name} → ${out} (${bin.length} bytes)`);
    }
  }
  process.exit(stale ? 1 : 0);
}
