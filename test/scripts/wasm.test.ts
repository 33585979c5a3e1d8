/** scripts/wasm.mjs: the SIMD binaries the library loads are what their sources compile to. */
import { readdirSync, readFileSync } from "fs";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../src/project";
import { compileWat } from "../../scripts/wasm.mjs";

const dir = join(projectRoot(), "src", "fast");
const sources = readdirSync(dir).filter((f) => f.endsWith(".wat"));

describe("src/fast", () => {
  it("has SIMD sources", () => expect(sources.length).toBeGreaterThan(0));

  it.each(sources)("%s compiles to the committed .wasm (else run `npm run wasm`)", async (f) => {
    const compiled: Buffer = await compileWat(join(dir, f));
    const committed = readFileSync(join(dir, f.replace(/\.wat$/, ".wasm")));
    expect(compiled.equals(committed)).toBe(true);
  });
});
