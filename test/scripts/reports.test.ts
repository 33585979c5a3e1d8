import { spawnSync } from "child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "fs";
import { join } from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { extractMath, insertMath, texToSvg } from "../../scripts/lib/math.mjs";
import {
  externalRefs,
  indexHtml,
  nbconvertCommand,
  renderReports,
  MAX_REPORT_BYTES,
} from "../../scripts/lib/reports.mjs";
import { runNotebook } from "../../scripts/lib/runner.mjs";
import { checkReports, chromiumPath } from "../../scripts/lib/browser-check.mjs";
import { projectTempDir, tempDir } from "../helpers";
import { writeNotebook } from "./nb";

const hasNbconvert = spawnSync("jupyter", ["nbconvert", "--version"]).status === 0;
const hasChromium = (() => {
  try {
    return Boolean(chromiumPath());
  } catch {
    return false;
  }
})();

describe("math in markdown", () => {
  it("finds inline and display TeX and leaves code alone", () => {
    const { text, math } = extractMath(
      "Let $h_t$ be \\(x\\), costs \\$3 and `$not$`:\n$$a_{t}^2$$\n```\n$code$\n```",
    );
    expect(text).toBe(
      "Let RNNWBMATH2X be RNNWBMATH1X, costs \\$3 and `$not$`:\nRNNWBMATH0X\n```\n$code$\n```",
    );
    expect(math).toEqual([
      { tex: "a_{t}^2", display: true },
      { tex: "x", display: false },
      { tex: "h_t", display: false },
    ]);
  });

  it("renders TeX to SVG and refuses broken TeX with a one-line error", () => {
    expect(texToSvg("\\sigma(x)", false)).toMatch(
      /^<span class="rnnwb-math"><mjx-container[^>]*><svg/,
    );
    expect(insertMath("<p>RNNWBMATH0X</p>", [{ tex: "x^2", display: true }])).toContain(
      "display:block",
    );
    expect(() => texToSvg("\\frac{", true)).toThrow(
      'cannot render TeX "\\\\frac{": Missing close brace',
    );
  });
});

describe("links in TeX", () => {
  // one row per link a report must not hold: the one-line error quotes the TeX and the link
  it.each([
    ["javascript:alert(1)"],
    ["JavaScript:alert(1)"],
    ["&#106;avascript:alert(1)"], // an entity the browser would decode
    ["java\tscript:alert(1)"], // a tab the browser would drop
    [" https://example.org"], // leading space: not literally http(s)
    ["data:text/html,hi"],
    ["file:///etc/passwd"],
    ["//example.org/x"],
    ["other.html"],
  ])("refuses \\href{%s}", (url) => {
    const tex = `a = \\href{${url}}{b}`;
    expect(() => texToSvg(tex, false)).toThrow(
      `cannot render TeX ${JSON.stringify(tex)}: it links to ${JSON.stringify(url)}; reports allow only http(s):// and #anchor links`,
    );
  });

  it.each([["https://arxiv.org/abs/1506.00019?x=1&y=2"], ["http://example.org"], ["#sec-2"]])(
    "keeps \\href{%s} as a link",
    (url) => {
      expect(texToSvg(`\\href{${url}}{b}`, false)).toContain(`<a href="${url}">`);
    },
  );
});

describe("report checks", () => {
  it("flags anything loaded from outside the file, but not text inside inline scripts or links", () => {
    const ok =
      '<script>var u = "https://cdn.plot.ly/x.js";</script><a href="https://arxiv.org">paper</a><img src="data:image/png;base64,AA">';
    expect(externalRefs(ok)).toEqual([]);
    const bad =
      '<script src="file:///usr/share/javascript/mathjax/MathJax.js"></script><link rel="stylesheet" href="https://x/y.css"><style>@import url("https://f/a.css");</style>';
    expect(externalRefs(bad)).toEqual(
      expect.arrayContaining([
        "file:///usr/share/javascript/mathjax/MathJax.js",
        "https://x/y.css",
        "https://f/a.css",
      ]),
    );
  });

  it("lists each report with its headline figures in the index", () => {
    const html = indexHtml([
      {
        name: "06-x",
        title: "Stateful",
        bytes: 2 ** 20,
        metrics: [{ name: "electricity.stateful_rmse", value: 0.0412345 }],
        quick: true,
        seconds: 12.3,
        ok: true,
      },
    ]);
    expect(html).toContain('<a href="06-x.html">Stateful</a>');
    expect(html).toContain("<code>electricity.stateful_rmse</code> = <b>0.04123</b>");
    expect(html).toContain("<td>quick</td>");
  });

  it("escapes the names, titles and figures it embeds in the index", () => {
    const evil = `"><svg onload=alert(1)>`;
    const html = indexHtml([
      {
        name: "javascript:alert(1)",
        title: evil,
        bytes: 1,
        metrics: [{ name: evil, value: evil }],
        quick: false,
        seconds: "<b>" as unknown as number,
        ok: true,
      },
    ]);
    expect(html).not.toContain("<svg");
    expect(html).toContain('<a href="javascript%3Aalert(1).html">'); // a relative path, not a scheme
    expect(html).toContain("&quot;&gt;&lt;svg onload=alert(1)&gt;");
    expect(html).not.toContain("<b><");
  });

  it("says how to install nbconvert when it is missing", () => {
    expect(() => nbconvertCommand({ RNN_NBCONVERT: "no-such-nbconvert-binary" })).toThrow(
      'nbconvert is not installed ("no-such-nbconvert-binary" failed): apt-get install jupyter-nbconvert (Debian) or pip install nbconvert',
    );
  });

  it("asks for executed notebooks first when there are none", () => {
    expect(() => renderReports(tempDir())).toThrow("run `npm run notebooks`");
  });
});

describe.runIf(hasNbconvert)("rendered reports (nbconvert present)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = tempDir();
    const src = projectTempDir();
    mkdirSync(join(dir, "notebooks"));
    const path = writeNotebook(src, "demo", [
      {
        md: "# Demo report\n\nThe update is $h_t = \\tanh(W_{xh} x_t + W_{hh} h_{t-1} + b_h)$ and\n$$\\frac{\\partial L}{\\partial h_t} = \\sum_{k \\ge t} \\frac{\\partial L_k}{\\partial h_t}$$",
      },
      'import * as rnn from "rnn-workbook";\nawait rnn.setup();',
      "rnn.plot({ data: [{ y: [1, 3, 2] }], layout: { title: { text: 'A' } } });\nrnn.plot({ data: [{ z: [[1, 2], [3, 4]], type: 'heatmap' }] });",
      "rnn.record('demo.value', 0.5);",
      'rnn.cellDiagram("lstm");',
      // a line far wider than the page, with nowhere to break it, and a long printed line
      `const wide = "${"w".repeat(300)}";\nconsole.log(wide + " " + "p".repeat(300));`,
    ]);
    const r = await runNotebook(path, {
      outDir: join(dir, "notebooks"),
      quick: true,
      env: { RNN_REPORTS_DIR: dir },
    });
    expect(r.ok).toBe(true);
  });

  it("writes one self-contained HTML per notebook, with math as SVG and plotly embedded once", () => {
    const reports = renderReports(dir);
    expect(reports.map((r: { name: string }) => r.name)).toEqual(["demo"]);
    const html = readFileSync(join(dir, "demo.html"), "utf8");
    expect(externalRefs(html)).toEqual([]);
    expect(html).not.toContain("file://");
    expect(html).not.toContain("RNNWBMATH");
    expect((html.match(/class="rnnwb-math"/g) ?? []).length).toBe(2);
    expect((html.match(/var __rnnwbDefine = window\.define/g) ?? []).length).toBe(1);
    // the cell diagram survives nbconvert's sanitiser: an <img> holding the whole SVG
    const img =
      /<img class="rnnwb-svg" src="data:image\/svg\+xml;base64,([^"]+)" alt="([^"]*)"/.exec(html);
    expect(img?.[2]).toMatch(/^LSTM cell, one step/);
    expect(Buffer.from(img![1], "base64").toString("utf8")).toMatch(/<polyline[\s\S]*<\/svg>$/);
    // …in the report's head, and not in the executed notebook (which keeps a marker)
    expect(html.indexOf("__rnnwbDefine")).toBeLessThan(html.search(/<\/head>/i));
    const executed = readFileSync(join(dir, "notebooks", "demo.ipynb"), "utf8");
    expect(executed).not.toContain("__rnnwbDefine");
    expect(executed).toContain("plotly.js is embedded by the report");
    expect(statSync(join(dir, "notebooks", "demo.ipynb")).size).toBeLessThan(200_000);
    expect(statSync(join(dir, "demo.html")).size).toBeLessThan(MAX_REPORT_BYTES);
    const index = readFileSync(join(dir, "index.html"), "utf8");
    expect(index).toContain("Demo report");
    expect(index).toContain("<code>demo.value</code> = <b>0.5</b>");
    // executed in quick mode: the banner, once, first thing in the body; and on the index
    expect((html.match(/class="rnnwb-quick-banner"/g) ?? []).length).toBe(1);
    expect(html).toMatch(/<body[^>]*>\s*<div class="rnnwb-quick-banner"/);
    expect(index).toContain("Quick mode: sizes reduced, results not meaningful.");
  });

  it("puts no banner on a report executed in full mode", () => {
    const nb = JSON.parse(readFileSync(join(dir, "notebooks", "demo.ipynb"), "utf8"));
    const full = tempDir();
    mkdirSync(join(full, "notebooks"));
    nb.metadata["rnn-workbook"].quick = false;
    writeFileSync(join(full, "notebooks", "demo.ipynb"), JSON.stringify(nb));
    renderReports(full);
    const banner = '<div class="rnnwb-quick-banner"';
    expect(readFileSync(join(full, "demo.html"), "utf8").includes(banner)).toBe(false);
    expect(readFileSync(join(full, "index.html"), "utf8").includes(banner)).toBe(false);
  });

  it.runIf(hasChromium)(
    "draws every chart in headless Chromium with nothing loaded from outside",
    async () => {
      if (!existsSync(join(dir, "demo.html"))) renderReports(dir);
      const leaky = join(dir, "leaky.html");
      writeFileSync(
        leaky,
        '<html><body><script src="https://cdn.example.com/x.js"></script></body></html>',
      );
      const [demo, leak] = await checkReports([join(dir, "demo.html"), leaky], {
        timeoutMs: 15_000,
      });
      expect(demo.charts).toBe(2);
      expect(demo.drawn).toBe(2);
      expect(demo.diagrams).toBe(1);
      expect(demo.diagramsDrawn).toBe(1);
      expect(demo.math).toBe(2);
      expect(demo.blocked).toEqual([]);
      expect(demo.errors).toEqual([]);
      expect(leak.blocked).toEqual(["https://cdn.example.com/x.js"]);
      // every code and printed block fits its box (wrapped) or scrolls; none is cut off
      expect(demo.codeBlocks).toBeGreaterThanOrEqual(5);
      expect(demo.clipped).toEqual([]);
      expect(demo.banners).toBe(1);
    },
    60_000,
  );

  it.runIf(hasChromium)(
    "finds a code block whose lines are cut off (the lab CSS's overflow-x: hidden)",
    async () => {
      const cut = join(dir, "cut.html");
      const pre = (text: string, style: string) =>
        `<div class="jp-InputArea"><pre style="width:200px;${style}">${text}</pre></div>`;
      writeFileSync(
        cut,
        "<html><body>" +
          pre("x".repeat(200), "overflow-x:hidden") +
          pre("y".repeat(200), "overflow-x:auto") +
          pre("short", "overflow-x:hidden") +
          "</body></html>",
      );
      const [r] = await checkReports([cut], { timeoutMs: 5_000 });
      expect(r.codeBlocks).toBe(3);
      expect(r.clipped).toEqual(["x".repeat(60)]);
    },
  );
});
