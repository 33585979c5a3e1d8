import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { installKernel } from "../../scripts/kernel.mjs";
import { tempDir } from "../helpers";

describe("npm run kernel", () => {
  it("writes a kernelspec that runs this project's tslab with this node", () => {
    const dir = installKernel(tempDir());
    const spec = JSON.parse(readFileSync(join(dir, "kernel.json"), "utf8"));
    expect(spec.display_name).toBe("TypeScript (rnn-workbook)");
    expect(spec.argv[0]).toBe(process.execPath);
    expect(existsSync(spec.argv[1])).toBe(true);
    expect(spec.argv[1]).toMatch(/node_modules\/tslab\/bin\/tslab$/);
    expect(spec.argv.slice(2)).toEqual(["kernel", "--config-path", "{connection_file}"]);
  });
});
