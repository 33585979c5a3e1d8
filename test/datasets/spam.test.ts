/** The SpamAssassin corpus as a model reads it: subject and body, no headers (src/datasets/spam.ts). */
import { describe, expect, it } from "vitest";
import { loadSpamAssassin, parseEmail, stratifiedSplit } from "../../src/datasets/spam";

const corpus = loadSpamAssassin();

describe("loadSpamAssassin", () => {
  it("every group, exact repeats dropped and counted", () => {
    const groups: Record<string, number> = {};
    for (const m of corpus.messages) groups[m.group] = (groups[m.group] ?? 0) + 1;
    expect(Object.keys(groups).sort()).toEqual([
      "easy-ham-1",
      "easy-ham-2",
      "hard-ham-1",
      "spam-1",
      "spam-2",
    ]);
    expect(corpus.messages.length + corpus.duplicates).toBe(6046);
    expect(corpus.duplicates).toBeGreaterThan(0);
    expect(new Set(corpus.messages.map((m) => m.text)).size).toBe(corpus.messages.length);
    expect(corpus.messages.filter((m) => m.label === 1).length).toBe(
      groups["spam-1"] + groups["spam-2"],
    );
  });

  it("no header lines, relay addresses or list tags reach the text", () => {
    const headerLine =
      /^(Received|Return-Path|X-[\w-]+|From|To|Message-I[dD]|Delivered-To|List-[\w-]+):/m;
    const leaks = corpus.messages.filter((m) => headerLine.test(m.text.split("\n\n")[0]));
    expect(leaks.length).toBe(0);
    for (const m of corpus.messages.slice(0, 300)) {
      const relays = [...m.headers.matchAll(/\[(\d+\.\d+\.\d+\.\d+)\]/g)].map((x) => x[1]);
      for (const ip of relays) expect(m.text.includes(`[${ip}]`)).toBe(false);
      expect(m.subject.startsWith("[")).toBe(false);
    }
  });
});

describe("parseEmail", () => {
  it("keeps the subject and the text/plain part, decodes quoted-printable and base64", () => {
    const raw = [
      "Received: from relay.example.org [10.1.2.3]",
      "Subject: =?utf-8?B?Q2Fmw6k=?= [list] offer",
      'Content-Type: multipart/alternative; boundary="XX"',
      "",
      "--XX",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: quoted-printable",
      "",
      "Caf=C3=A9 au lait, soft=",
      "break",
      "--XX",
      "Content-Type: text/html",
      "",
      "<p>html copy</p>",
      "--XX--",
    ].join("\n");
    const m = parseEmail(raw, "spam-1");
    expect(m.subject).toBe("Café offer");
    expect(m.body).toBe("Café au lait, softbreak");
    expect(m.text).not.toContain("relay");
    expect(m.label).toBe(1);
    const b64 =
      "Subject: hi\nContent-Transfer-Encoding: base64\n\n" +
      Buffer.from("hello there").toString("base64");
    expect(parseEmail(b64, "easy-ham-1").body).toBe("hello there");
    const html = "Subject: x\nContent-Type: text/html\n\n<style>p{}</style><b>Buy</b>&amp;<br>save";
    expect(parseEmail(html).body).toBe("Buy &\nsave");
  });
});

describe("stratifiedSplit", () => {
  it("disjoint parts covering every index, the class shares kept, seeded", () => {
    const labels = Array.from({ length: 1000 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const s = stratifiedSplit(labels, { seed: 3 });
    const all = [...s.train, ...s.validation, ...s.test].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([700, 100, 200]);
    expect(s.test.filter((i) => labels[i] === 1).length).toBe(50);
    expect(stratifiedSplit(labels, { seed: 3 })).toEqual(s);
    expect(() => stratifiedSplit(labels, { train: 0.9, validation: 0.1 })).toThrow(
      "must be fractions leaving a test part",
    );
  });
});
