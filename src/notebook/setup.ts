/**
 * The first cell of every notebook: `const env = await rnn.setup();`
 * initialises the backend, embeds plotly.js once (in a kernel) and prints what runs.
 */
import { initBackend, tf, BackendName } from "../backend";
import { isQuick } from "../project";
import { isRich, show } from "./display";
import { plotlyBundle } from "./plot";

export interface SetupInfo {
  backend: BackendName;
  quick: boolean;
  tfjs: string;
}

export async function setup(): Promise<SetupInfo> {
  const backend = await initBackend();
  const quick = isQuick();
  const info = { backend, quick, tfjs: tf.version.tfjs };
  const line = `rnn-workbook: backend ${backend} (tfjs ${info.tfjs}), ${quick ? "quick mode (RNN_QUICK=1): small sizes" : "full mode"}`;
  if (isRich()) show({ "text/plain": "[plotly.js loaded]", "text/html": plotlyBundle() });
  console.log(line);
  return info;
}
