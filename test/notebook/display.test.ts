import { describe, expect, it } from "vitest";
import { escapeHtml, scriptJson, show, showLive, showMarkdown } from "../../src/notebook/display";
import { captureOutputs } from "../helpers";
import { setOutputSink } from "../../src/notebook/display";
import { plotBundle } from "../../src/notebook/plot";
import { progressBundle } from "../../src/notebook/progress";
import { tableBundle } from "../../src/notebook/table";

describe("display", () => {
  it("sends one output holding every MIME type", async () => {
    const got = await captureOutputs(() =>
      show({ "text/plain": "x", "text/html": "<b>x</b>" }, { k: 1 }),
    );
    expect(got).toHaveLength(1);
    expect(Object.keys(got[0].bundle).sort()).toEqual(["text/html", "text/plain"]);
    expect(got[0].metadata).toEqual({ k: 1 });
  });

  it("showMarkdown sends the text as Markdown and as plain text; a non-string is refused", async () => {
    const got = await captureOutputs(() => showMarkdown("WER **12%**"));
    expect(got).toHaveLength(1);
    expect(got[0].bundle).toEqual({ "text/markdown": "WER **12%**", "text/plain": "WER **12%**" });
    // @ts-expect-error not a string
    expect(() => showMarkdown(0.12)).toThrow(
      /showMarkdown: expected Markdown text as a string \(got number\)/,
    );
  });

  it("updates a live output in place under one display id", async () => {
    const got = await captureOutputs(() => {
      const o = showLive({ "text/plain": "1" });
      o.update({ "text/plain": "2" });
    });
    expect(got.map((g) => g.update)).toEqual([false, true]);
    expect(got[0].displayId).toBeDefined();
    expect(got[1].displayId).toBe(got[0].displayId);
  });

  it("never throws into user code when the kernel drops a message", () => {
    const prev = setOutputSink({
      rich: true,
      write: () => {
        throw new Error("Socket is busy writing");
      },
    });
    try {
      expect(() => show({ "text/plain": "x" })).not.toThrow();
    } finally {
      setOutputSink(prev);
    }
  });

  it("escapes HTML and script-embedded JSON", () => {
    expect(escapeHtml(`<a href="x">&'`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    const s = scriptJson({ t: "</script><script>alert(1)</script>" });
    expect(s).not.toContain("</script");
    expect(JSON.parse(s)).toEqual({ t: "</script><script>alert(1)</script>" });
  });
});

// Every piece of HTML the library makes, fed text that would be markup if embedded raw: the
// text must arrive as text (no element, attribute or script of its own).
const EVIL = `"'><svg onload=alert(1)></script><script>alert(2)</script>`;
describe("library-made HTML escapes what it embeds", () => {
  it.each([
    ["table caption", () => tableBundle([{ a: 1 }], { caption: EVIL })],
    ["table column", () => tableBundle([{ [EVIL]: 1 }])],
    ["table cell", () => tableBundle([{ a: EVIL }])],
    ["table index", () => tableBundle({ columns: ["a"], index: [EVIL], values: [[1]] })],
    ["progress label, unit and note", () => progressBundle(EVIL, EVIL, 1, 2, 1, EVIL, false)],
    ["plot id", () => plotBundle({ data: [] }, EVIL)],
    [
      "plot title and trace text",
      () => plotBundle({ data: [{ text: EVIL }], layout: { title: EVIL } }),
    ],
  ])("%s", (_, make) => {
    const html = make()["text/html"] as string;
    expect(html).not.toContain("<svg");
    expect(html).not.toContain("<script>alert");
    // a plot has its own one script; nothing embedded closes it early
    expect(html.match(/<\/script/gi)?.length ?? 0).toBe(html.includes("<script>") ? 1 : 0);
    expect(html).toMatch(/&lt;svg onload=alert\(1\)&gt;|\\u003csvg onload=alert\(1\)>/);
  });
});
