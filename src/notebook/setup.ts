/**
 * The first cell of every notebook: `const env = await rnn.setup();`
 * initialises the backend, embeds plotly.js once (in a kernel) and prints what runs.
 *
 * Where the page is rendered later (`RNN_PLOTLY=report`, set by the notebook runner), the
 * 1.4 MB bundle is not copied into the executed notebook: the report embeds it once in its
 * head (scripts/lib/reports.mjs), and this cell leaves only a marker.
 */
import { initBackend, tf, BackendName } from "../backend";
import { isQuick } from "../project";
import { isRich, MimeBundle, show } from "./display";
import { plotlyBundle } from "./plot";

export interface SetupInfo {
  backend: BackendName;
  quick: boolean;
  tfjs: string;
}

/** The marker an executed notebook carries where the report embeds plotly.js. */
export const PLOTLY_BY_REPORT = "<!-- rnnwb: plotly.js is embedded by the report -->";

/** The setup cell's plotly output: the bundle, or under `RNN_PLOTLY=report` the marker. */
export function plotlyOutput(env = process.env): MimeBundle {
  const where = (env.RNN_PLOTLY ?? "").trim();
  if (where === "report")
    return { "text/plain": "[plotly.js: embedded by the report]", "text/html": PLOTLY_BY_REPORT };
  if (where !== "")
    throw new Error(`RNN_PLOTLY must be "report" or unset (got "${env.RNN_PLOTLY}")`);
  return { "text/plain": "[plotly.js loaded]", "text/html": plotlyBundle() };
}

export async function setup(): Promise<SetupInfo> {
  const plotlyShown = isRich() ? plotlyOutput() : undefined; //   a bad RNN_PLOTLY fails first
  const backend = await initBackend();
  const quick = isQuick();
  const info = { backend, quick, tfjs: tf.version.tfjs };
  const line = `rnn-workbook: backend ${backend} (tfjs ${info.tfjs}), ${quick ? "quick mode (RNN_QUICK=1): small sizes" : "full mode"}`;
  if (plotlyShown) show(plotlyShown);
  console.log(line);
  return info;
}
