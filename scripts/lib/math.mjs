// TeX in markdown → inline SVG, rendered once in Node with MathJax, so reports show equations
// with no script and nothing loaded. Math is swapped for placeholders before nbconvert renders
// the markdown (so markdown cannot mangle `_`, `*` or `\\`), and the SVG is put back after.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
let convert;

function mathjax() {
  if (!convert) {
    const { mathjax: mj } = require("mathjax-full/js/mathjax.js");
    const { TeX } = require("mathjax-full/js/input/tex.js");
    const { SVG } = require("mathjax-full/js/output/svg.js");
    const { liteAdaptor } = require("mathjax-full/js/adaptors/liteAdaptor.js");
    const { RegisterHTMLHandler } = require("mathjax-full/js/handlers/html.js");
    const { AllPackages } = require("mathjax-full/js/input/tex/AllPackages.js");
    const adaptor = liteAdaptor();
    RegisterHTMLHandler(adaptor);
    const doc = mj.document("", {
      InputJax: new TeX({ packages: AllPackages }),
      OutputJax: new SVG({ fontCache: "local" }),
    });
    convert = (tex, display) => adaptor.outerHTML(doc.convert(tex, { display }));
  }
  return convert;
}

// Links a report may hold: http(s) and in-page anchors. Tested on the attribute as written, so
// an entity (`&#106;avascript:`, `javascript&colon;`) or a tab cannot disguise another scheme.
const SAFE_LINK = /^(https?:\/\/|#)/i;

/**
 * Renders one TeX string to an SVG element wrapped for inline or display use; throws on TeX
 * errors and on a link (`\href`) that is not http(s):// or an in-page #anchor.
 */
export function texToSvg(tex, display) {
  const html = mathjax()(tex, display);
  if (html.includes("data-mjx-error")) {
    const msg = /data-mjx-error="([^"]*)"/.exec(html)?.[1] ?? "TeX error";
    throw new Error(`cannot render TeX ${JSON.stringify(tex.slice(0, 80))}: ${msg}`);
  }
  for (const m of html.matchAll(/\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*))/gi)) {
    const url = m[1] ?? m[2] ?? m[3];
    if (!SAFE_LINK.test(url))
      throw new Error(
        `cannot render TeX ${JSON.stringify(tex.slice(0, 80))}: it links to ${JSON.stringify(url.slice(0, 60))}; reports allow only http(s):// and #anchor links: change the \\href`,
      );
  }
  return display
    ? `<span class="rnnwb-math" style="display:block;text-align:center;margin:0.8em 0">${html}</span>`
    : `<span class="rnnwb-math">${html}</span>`;
}

const MATH = [
  [/\$\$([\s\S]+?)\$\$/g, true],
  [/\\\[([\s\S]+?)\\\]/g, true],
  [/(\\begin\{(equation\*?|align\*?|gather\*?|aligned)\}[\s\S]+?\\end\{\2\})/g, true],
  [/\\\(([\s\S]+?)\\\)/g, false],
  [/(?<![\\$])\$(?![\s$])((?:\\.|[^$\\\n])+?)(?<!\s)\$(?!\d)/g, false],
];

/**
 * Replaces the math in a markdown string with placeholders; code blocks and code spans are
 * left alone. Returns { text, math } where math[i] is { tex, display } for placeholder i.
 */
export function extractMath(markdown, math = []) {
  const code = [];
  let text = markdown.replace(
    /(^|\n)(```|~~~)[\s\S]*?\n\2[^\n]*|`[^`\n]+`/g,
    (m) => `\uE000${code.push(m) - 1}\uE000`,
  );
  for (const [re, display] of MATH) {
    text = text.replace(
      re,
      (_m, tex) => `RNNWBMATH${math.push({ tex: tex.trim(), display }) - 1}X`,
    );
  }
  text = text.replace(/\uE000(\d+)\uE000/g, (_m, i) => code[Number(i)]);
  return { text, math };
}

/** Puts rendered SVG back for each placeholder in the HTML. */
export function insertMath(html, math) {
  return html.replace(/RNNWBMATH(\d+)X/g, (m, i) => {
    const item = math[Number(i)];
    return item ? texToSvg(item.tex, item.display) : m;
  });
}
