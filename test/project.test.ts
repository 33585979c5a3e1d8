import { existsSync } from "fs";
import { join } from "path";
import { afterEach, describe, expect, it } from "vitest";
import { isQuick, projectRoot, sized } from "../src/project";

const saved = process.env.RNN_QUICK;
afterEach(() => {
  process.env.RNN_QUICK = saved;
});

describe("project", () => {
  it("finds the project root holding package.json and src/", () => {
    expect(existsSync(join(projectRoot(), "package.json"))).toBe(true);
    expect(existsSync(join(projectRoot(), "src", "index.ts"))).toBe(true);
  });

  it("reads quick mode from RNN_QUICK", () => {
    process.env.RNN_QUICK = "1";
    expect(isQuick()).toBe(true);
    expect(sized({ quick: 2, full: 40 })).toBe(2);
    process.env.RNN_QUICK = "0";
    expect(isQuick()).toBe(false);
    expect(sized({ quick: 2, full: 40 })).toBe(40);
    delete process.env.RNN_QUICK;
    expect(isQuick()).toBe(false);
  });

  it("rejects an RNN_QUICK it does not understand", () => {
    process.env.RNN_QUICK = "maybe";
    expect(() => isQuick()).toThrow('RNN_QUICK must be 1 or 0 (got "maybe")');
  });
});
