import { createHash } from "crypto";
import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { loadElectricity, loadText } from "../src/data";
import { dataDir } from "../src/project";
import { tempDir } from "./helpers";

describe("shipped data", () => {
  it("matches the checksums listed in data/README.md", () => {
    const readme = readFileSync(join(dataDir(), "README.md"), "utf8");
    const listed = [...readme.matchAll(/^([0-9a-f]{64})\s+(\S+)$/gm)];
    expect(listed.length).toBe(3);
    for (const [, sum, file] of listed) {
      expect(
        createHash("sha256")
          .update(readFileSync(join(dataDir(), file)))
          .digest("hex"),
        file,
      ).toBe(sum);
    }
  });
});

describe("loadElectricity", () => {
  it("loads 140,256 quarter-hour readings with the documented range", () => {
    const { timestamps, kW } = loadElectricity();
    expect(kW.length).toBe(140_256);
    expect(timestamps[0]).toBe("2011-01-01 00:15:00");
    expect(timestamps[kW.length - 1]).toBe("2015-01-01 00:00:00");
    expect(kW.reduce((a, b) => Math.min(a, b))).toBeCloseTo(0.668, 3);
    expect(kW.reduce((a, b) => Math.max(a, b))).toBeCloseTo(147.5, 1);
    expect(kW.reduce((a, b) => a + b, 0) / kW.length).toBeCloseTo(78.1, 1);
  });

  it("names the path when the file is missing", () => {
    expect(() => loadElectricity({ path: "/nonexistent/x.csv" })).toThrow(
      "electricity data: /nonexistent/x.csv does not exist",
    );
  });

  it("rejects a wrong header with the line number", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "a.csv"), "time,power\n2011-01-01 00:15:00,1\n");
    expect(() => loadElectricity({ path: join(dir, "a.csv") })).toThrow(
      /a\.csv line 1: expected the header "timestamp,kW"/,
    );
  });

  it("rejects a malformed reading with its line number, never turning it into NaN", () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "b.csv"),
      "timestamp,kW\n2011-01-01 00:15:00,1.5\n2011-01-01 00:30:00,abc\n",
    );
    expect(() => loadElectricity({ path: join(dir, "b.csv") })).toThrow(
      /b\.csv line 3: expected "YYYY-MM-DD HH:MM:SS,<kW>", got "2011-01-01 00:30:00,abc"/,
    );
    writeFileSync(join(dir, "c.csv"), "timestamp,kW\n2011-01-01 00:15:00,\n");
    expect(() => loadElectricity({ path: join(dir, "c.csv") })).toThrow(/c\.csv line 2/);
  });

  it("rejects a file with a header and no readings", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "d.csv"), "timestamp,kW\n");
    expect(() => loadElectricity({ path: join(dir, "d.csv") })).toThrow(
      "has a header but no readings",
    );
  });
});

describe("loadText", () => {
  it("loads Alice without the byte-order mark and with LF line ends", () => {
    const alice = loadText("alice");
    expect(alice.startsWith("CHAPTER I.")).toBe(true);
    expect(alice.includes("\r")).toBe(false);
  });

  it("loads tiny Shakespeare whole (1,115,394 characters, 65 distinct)", () => {
    const s = loadText("shakespeare");
    expect(s.length).toBe(1_115_394);
    expect(new Set(s).size).toBe(65);
  });

  it("names the path of a missing or empty text", () => {
    expect(() => loadText("text/nope.txt")).toThrow(/text data: .*text\/nope\.txt does not exist/);
    const dir = tempDir();
    writeFileSync(join(dir, "e.txt"), "  \n");
    expect(() => loadText(join(dir, "e.txt"))).toThrow(/e\.txt is empty/);
  });
});
