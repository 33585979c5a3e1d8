// Opens each report in headless Chromium (Debian's, via playwright-core) with every request
// intercepted: only the report file itself and data:/blob: URLs may load. Checks that each
// chart drew (plotly's svg.main-svg), that equations are SVG, and that no script failed; counts
// the code and printed-text blocks whose lines are cut off (wider than their box, and the box
// does not scroll) and the quick-mode banners.
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

export function chromiumPath(env = process.env) {
  const candidates = [
    env.CHROMIUM,
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new Error(
      "no Chromium found: apt-get install chromium (or set CHROMIUM=/path/to/chrome)",
    );
  return found;
}

/** The narrow window code must also fit (or scroll) in, in CSS pixels. */
export const NARROW = 600;

/**
 * Checks reports; resolves with one result per file:
 * { file, charts, drawn, math, blocked, errors, codeBlocks, clipped, banners }.
 */
export async function checkReports(files, { timeoutMs = 20_000, width = 1200 } = {}) {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const results = [];
  try {
    for (const file of files) {
      const url = pathToFileURL(file).href;
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      const blocked = [];
      const errors = [];
      await page.route("**/*", (route) => {
        const u = route.request().url();
        if (u === url || u.startsWith("data:") || u.startsWith("blob:")) return route.continue();
        blocked.push(u);
        return route.abort();
      });
      page.on("pageerror", (e) => errors.push(e.message.split("\n")[0]));
      await page.goto(url, { waitUntil: "load" });
      const charts = await page.locator("div.rnnwb-plot").count();
      const deadline = Date.now() + timeoutMs;
      let drawn = 0;
      for (;;) {
        drawn = await page.locator("div.rnnwb-plot:has(svg.main-svg)").count();
        if (drawn >= charts || Date.now() > deadline) break;
        await page.waitForTimeout(200);
      }
      const math = await page.locator(".rnnwb-math svg").count();
      // diagrams (SVG as data-URI images): each must decode and draw
      /* eslint-disable no-undef -- runs in the page */
      const images = await page.evaluate(() =>
        [...document.querySelectorAll("img.rnnwb-svg")].map(
          (im) => im.complete && im.naturalWidth > 0,
        ),
      );
      /* eslint-enable no-undef */
      const diagrams = images.length,
        diagramsDrawn = images.filter(Boolean).length;
      // cut-off lines at the page's width and in a narrow window (a phone, half a laptop screen)
      /* eslint-disable no-undef -- runs in the page, where document and getComputedStyle exist */
      const measure = () =>
        page.evaluate(() => {
          const pres = [...document.querySelectorAll(".jp-InputArea pre, .jp-OutputArea pre")];
          const cut = pres.filter((el) => {
            const scrolls = ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
            return el.scrollWidth > el.clientWidth + 1 && !scrolls;
          });
          return {
            codeBlocks: pres.length,
            clipped: cut.map((el) => el.textContent.split("\n")[0].slice(0, 60)),
          };
        });
      /* eslint-enable no-undef */
      const wide = await measure();
      await page.setViewportSize({ width: NARROW, height: 900 });
      const narrow = await measure();
      const codeBlocks = wide.codeBlocks;
      const clipped = [...new Set([...wide.clipped, ...narrow.clipped])];
      const banners = await page.locator(".rnnwb-quick-banner").count();
      results.push({
        file,
        charts,
        drawn,
        math,
        diagrams,
        diagramsDrawn,
        blocked,
        errors,
        codeBlocks,
        clipped,
        banners,
      });
      await page.close();
    }
  } finally {
    await browser.close();
  }
  return results;
}
