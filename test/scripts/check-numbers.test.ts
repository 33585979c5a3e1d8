import { spawnSync } from "child_process";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { codeLiterals, typedNumbers } from "../../scripts/check-numbers.mjs";
import { projectRoot } from "../../src/project";

const numbers = (md: string, literals = new Set<number>()) =>
  typedNumbers(md, [], literals).map((n: { number: string }) => n.number);

describe("typed numbers in notebook prose", () => {
  it("finds results typed into prose", () => {
    expect(
      numbers("The book reports 0.0633, ours 33.6 vs 190.8 ms; 43 characters in ~7 minutes."),
    ).toEqual(["0.0633", "33.6", "190.8", "43", "~7"]);
    expect(numbers("char-rnn reaches 1.6–1.7 and 12% fewer errors")).toEqual(["1.6–1.7", "12%"]);
  });

  it("leaves code, TeX, years, small counts, times, headings and links alone", () => {
    const md = [
      "# 07 · Text",
      "Cho et al. 2014 (arXiv:1406.1078) use `H = 256` and $T = 50$, $$x_{128}$$",
      "two layers, 3 seeds, at 00:15–01:45, see [the paper](https://x.org/1234).",
      "```\nconst n = 999;\n```",
    ].join("\n");
    expect(numbers(md)).toEqual([]);
  });

  it("allows a size or setting the page's code sets, percentages as fractions", () => {
    const nb = {
      cells: [{ cell_type: "code", source: ["const H = 128;\n", "const split = 0.9, lr = 3e-3;"] }],
    };
    const lit = codeLiterals(nb);
    expect(numbers("128 units, the first 90% for training, rate 0.003", lit)).toEqual([]);
    expect(numbers("129 units, the first 80%", lit)).toEqual(["129", "80%"]);
  });

  it("passes on the notebooks as they are (no new typed number, baseline up to date)", () => {
    const r = spawnSync(process.execPath, [join(projectRoot(), "scripts", "check-numbers.mjs")], {
      encoding: "utf8",
    });
    expect(r.stdout + r.stderr).toMatch(/^ok: 0 new typed number/m);
    expect(r.status).toBe(0);
  });
});
