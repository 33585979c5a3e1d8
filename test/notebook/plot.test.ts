import { describe, expect, it } from "vitest";
import {
  plot,
  plotBundle,
  plotlyBundle,
  PLOT_PLACEHOLDER,
  withAxisDefaults,
} from "../../src/notebook/plot";
import { captureOutputs } from "../helpers";

const fig = {
  data: [{ x: [1, 2], y: [3, 4], name: "a</script>" }],
  layout: { title: { text: "Loss" } },
};

describe("plot", () => {
  it("makes one output with html, plotly json and a text fallback", async () => {
    const got = await captureOutputs(() => plot(fig));
    expect(got).toHaveLength(1);
    const b = got[0].bundle;
    expect(Object.keys(b).sort()).toEqual([
      "application/vnd.plotly.v1+json",
      "text/html",
      "text/plain",
    ]);
    expect(b["text/plain"]).toBe("[chart: Loss: 1 trace]");
    expect((b["application/vnd.plotly.v1+json"] as { data: unknown[] }).data).toEqual(fig.data);
  });

  it("shows a placeholder where scripts do not run and draws once Plotly exists", () => {
    const html = plotBundle(fig, "abc")["text/html"] as string;
    expect(html).toContain('id="rnnwb-plot-abc"');
    expect(html).toContain(PLOT_PLACEHOLDER.slice(0, 30));
    expect(html).toContain("window.Plotly.newPlot");
    expect(html.match(/<\/script>/g)).toHaveLength(1); // the trace name cannot close the script
  });

  it("puts whole-number ticks on an x axis of a few whole numbers (epochs), and only there", () => {
    const epochs = {
      data: [
        { x: [1, 2], y: [0.5, 0.4] },
        { x: [1, 2], y: [0.6, 0.5] },
      ],
    };
    expect(withAxisDefaults(epochs)).toEqual({ xaxis: { dtick: 1 } });
    const own = { ...epochs, layout: { xaxis: { dtick: 5, title: { text: "epoch" } } } };
    expect(withAxisDefaults(own)).toEqual(own.layout); //                  its own ticks stay
    const log = { ...epochs, layout: { xaxis: { type: "log" }, yaxis: { type: "log" } } };
    expect(withAxisDefaults(log)).toEqual({
      xaxis: { type: "log", tickformat: "~g" }, //          0.02, 0.05, 0.1 rather than 2, 5, 0.1
      yaxis: { type: "log", tickformat: "~g" },
    });
    const fmt = { data: [], layout: { yaxis: { type: "log", tickformat: ".0e" } } };
    expect(withAxisDefaults(fmt)).toEqual(fmt.layout);
    expect(withAxisDefaults({ data: [{ x: [0.5, 1], y: [1, 2] }] })).toEqual({});
    expect(withAxisDefaults({ data: [{ x: [0, 1000], y: [1, 2] }] })).toEqual({});
    const two = { data: [{ x: [1, 2, 3], y: [1, 2, 3], xaxis: "x2" }], layout: { height: 300 } };
    expect(withAxisDefaults(two)).toEqual({ height: 300, xaxis2: { dtick: 1 } });
    expect(withAxisDefaults({ data: [{ z: [[1]], type: "heatmap" }] })).toEqual({});
  });

  it("rejects a figure without a data array", () => {
    expect(() => plotBundle({ data: "x" } as never)).toThrow("figure.data must be an array");
  });

  it("embeds plotly.js once as a single inline script that cannot be cut short", () => {
    const s = plotlyBundle();
    expect(s.length).toBeGreaterThan(1_000_000);
    expect(s.startsWith("<script>")).toBe(true);
    expect(s.match(/<\/script/gi)).toHaveLength(1);
    expect(s).not.toMatch(/<script[^>]*src=/);
  });
});
