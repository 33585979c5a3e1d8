import { describe, expect, it } from "vitest";
import { escapeHtml, scriptJson, show, showLive } from "../../src/notebook/display";
import { captureOutputs } from "../helpers";
import { setOutputSink } from "../../src/notebook/display";

describe("display", () => {
  it("sends one output holding every MIME type", async () => {
    const got = await captureOutputs(() =>
      show({ "text/plain": "x", "text/html": "<b>x</b>" }, { k: 1 }),
    );
    expect(got).toHaveLength(1);
    expect(Object.keys(got[0].bundle).sort()).toEqual(["text/html", "text/plain"]);
    expect(got[0].metadata).toEqual({ k: 1 });
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
