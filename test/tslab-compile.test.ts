/**
 * tslab compiles notebooks, and the library files they import, with its own TypeScript 5.0.4,
 * target and lib ES2022, Node10 resolution. This compiles src/ the same way.
 */
import { rmSync, writeFileSync } from "fs";
import { createRequire } from "module";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../src/project";
import { tempDir } from "./helpers";

const req = createRequire(join(projectRoot(), "node_modules", "tslab", "package.json"));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ts: any = req("@tslab/typescript-for-tslab");

function tslabDiagnostics(files: string[]): string[] {
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts"],
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
    typeRoots: [join(projectRoot(), "node_modules", "@types")],
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d: { messageText: unknown }) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

describe("tslab's compiler", () => {
  it("is TypeScript 5.0.4", () => {
    expect(ts.version).toBe("5.0.4");
  });

  it("compiles src/ (what notebooks import) without errors", () => {
    expect(tslabDiagnostics([join(projectRoot(), "src", "index.ts")])).toEqual([]);
  }, 120_000);

  it("rejects ES2023 library calls, so the check above can fail", () => {
    const dir = tempDir();
    const f = join(dir, "later.ts");
    writeFileSync(f, "export const last = [1, 2, 3].findLast((x) => x > 1);\n");
    const errors = tslabDiagnostics([f]);
    expect(errors.join("\n")).toContain("findLast");
  });

  it('resolves `import * as rnn from "rnn-workbook"` from the notebooks folder', () => {
    const f = join(projectRoot(), "notebooks", ".tslab-import-check.ts");
    writeFileSync(
      f,
      'import * as rnn from "rnn-workbook";\nexport const q: boolean = rnn.isQuick();\n',
    );
    try {
      expect(tslabDiagnostics([f])).toEqual([]);
    } finally {
      rmSync(f);
    }
  });
});
