/**
 * The layout the library promises: cell files hold the equations only (no kernel, no fast
 * path, no tfjs op outside initialisation), and the fast path is reached through one policy.
 */
import { readdirSync, readFileSync } from "fs";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../src/project";

const src = join(projectRoot(), "src");
const read = (...p: string[]) => readFileSync(join(src, ...p), "utf8");
const imports = (text: string) => [...text.matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
const cellFiles = readdirSync(join(src, "cells")).filter((f) => f.endsWith(".ts"));

describe("src/cells", () => {
  it.each(cellFiles)("%s imports nothing of the fast path", (f) => {
    expect(imports(read("cells", f)).filter((m) => m.includes("fast"))).toEqual([]);
  });

  it.each(cellFiles.filter((f) => !["index.ts", "cell.ts"].includes(f)))(
    "%s computes its steps through the Ops it is given (tfjs only in init)",
    (f) => {
      const text = read("cells", f);
      const at = text.search(/\bstep(<T>)?\(o\b/); //             where the step is defined
      expect(at, "a step(o, …) definition").toBeGreaterThan(0);
      // tf.* calls may appear in init (seeded weights, before the step), never in the steps
      expect([...text.slice(at).matchAll(/\btf\.(\w+)\(/g)].map((m) => m[0])).toEqual([]);
    },
  );
});

describe("src/fast", () => {
  it("is entered only through policy.ts and its stepper (besides the optimizer and rows)", () => {
    const users = readdirSync(src)
      .filter((f) => f.endsWith(".ts"))
      .flatMap((f) =>
        imports(read(f))
          .filter((m) => m.startsWith("./fast/"))
          .map((m) => `${f} ${m}`),
      );
    const allowed = /^(\S+) \.\/fast\/(policy|stepper|rows|adam|softmax)$/;
    expect(users.filter((u) => !allowed.test(u))).toEqual([]);
  });
});
