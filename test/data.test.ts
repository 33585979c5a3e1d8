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
    expect(listed.length).toBe(8);
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

  // one row per bad line (line 3 of the file; line 2 is good): the message names the file, the
  // line, the column where a cell is at fault, and the bad text
  const BAD_LINES: [string, string, string][] = [
    ["not a number", "2011-01-01 00:30:00,abc", 'line 3 column 2 (kW): "abc" is not a finite'],
    ["empty cell", "2011-01-01 00:30:00,", 'line 3 column 2 (kW): "" is not a finite'],
    ["hexadecimal", "2011-01-01 00:30:00,0x1F", 'line 3 column 2 (kW): "0x1F" is not a finite'],
    [
      "padded with spaces",
      "2011-01-01 00:30:00, 5 ",
      'line 3 column 2 (kW): " 5 " is not a finite',
    ],
    ["exponent without digits", "2011-01-01 00:30:00,1e", 'line 3 column 2 (kW): "1e" is not'],
    ["Infinity", "2011-01-01 00:30:00,Infinity", 'line 3 column 2 (kW): "Infinity" is not'],
    ["overflows to Infinity", "2011-01-01 00:30:00,1e999", 'line 3 column 2 (kW): "1e999" is not'],
    ["binary", "2011-01-01 00:30:00,0b101", 'line 3 column 2 (kW): "0b101" is not'],
    [
      "month 13",
      "2011-13-01 00:30:00,1",
      'line 3 column 1 (timestamp): timestamp "2011-13-01 00:30:00" is not a real date',
    ],
    [
      "Feb 30",
      "2011-02-30 00:30:00,1",
      'line 3 column 1 (timestamp): timestamp "2011-02-30 00:30:00" is not a real date',
    ],
    [
      "Feb 29 of a non-leap year",
      "2011-02-29 00:30:00,1",
      'line 3 column 1 (timestamp): timestamp "2011-02-29 00:30:00"',
    ],
    [
      "hour 25",
      "2011-01-01 25:00:00,1",
      'line 3 column 1 (timestamp): timestamp "2011-01-01 25:00:00" is not a real date',
    ],
    [
      "minute 60",
      "2011-01-01 00:60:00,1",
      'line 3 column 1 (timestamp): timestamp "2011-01-01 00:60:00" is not a real date',
    ],
    [
      "day 0",
      "2011-01-00 00:30:00,1",
      'line 3 column 1 (timestamp): timestamp "2011-01-00 00:30:00" is not a real date',
    ],
    [
      "timestamp not in the format",
      "2011-1-1 00:30,1",
      'line 3: expected "YYYY-MM-DD HH:MM:SS,<kW>", got "2011-1-1 00:30,1"',
    ],
    [
      "three columns",
      "2011-01-01 00:30:00,1,2",
      'line 3: expected "YYYY-MM-DD HH:MM:SS,<kW>", got',
    ],
    ["no comma", "2011-01-01 00:30:00", 'line 3: expected "YYYY-MM-DD HH:MM:SS,<kW>", got'],
  ];
  it.each(BAD_LINES)("rejects a bad line (%s) naming file, line and column", (_, line, msg) => {
    const file = join(tempDir(), "bad.csv");
    writeFileSync(file, `timestamp,kW\n2011-01-01 00:15:00,1.5\n${line}\n`);
    let err: Error | undefined;
    try {
      loadElectricity({ path: file });
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).toContain(`electricity data: ${file} ${msg}`);
    expect(err?.message).not.toContain("\n");
  });

  it("accepts plain decimals, signed and with exponents, as their values", () => {
    const file = join(tempDir(), "ok.csv");
    const cells = ["0", "12", "12.5", "-0.25", "1e2", "2.5E-1"];
    const rows = cells.map((c, i) => `2011-01-01 00:${String(10 * i).padStart(2, "0")}:00,${c}`);
    writeFileSync(file, ["timestamp,kW", ...rows].join("\n") + "\n");
    expect(Array.from(loadElectricity({ path: file }).kW)).toEqual(cells.map(Number));
  });

  it("reads a header with a UTF-8 byte-order mark, and CRLF line ends, as the plain file", () => {
    const dir = tempDir();
    const body = "timestamp,kW\n2011-01-01 00:15:00,1.5\n2011-01-01 00:30:00,2\n";
    writeFileSync(join(dir, "plain.csv"), body);
    writeFileSync(join(dir, "bom.csv"), "\uFEFF" + body.replace(/\n/g, "\r\n"));
    const plain = loadElectricity({ path: join(dir, "plain.csv") });
    expect(plain.timestamps).toEqual(["2011-01-01 00:15:00", "2011-01-01 00:30:00"]);
    expect(loadElectricity({ path: join(dir, "bom.csv") })).toEqual(plain);
  });

  it("names a directory given as the path (was a raw EISDIR)", () => {
    const dir = tempDir();
    expect(() => loadElectricity({ path: dir })).toThrow(
      `electricity data: ${dir} is a directory: pass the path of the file inside it`,
    );
    expect(() => loadText(dir)).toThrow(`text data: ${dir} is a directory`);
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
