/**
 * rnn-workbook: recurrent neural networks with hand-written backpropagation through time.
 *
 *   import * as rnn from "rnn-workbook";
 *   const env = await rnn.setup();   // backend, plotly, run mode
 */
export { tf, initBackend, requestedBackend, BACKENDS } from "./backend";
export type { BackendName } from "./backend";
export { projectRoot, reportsDir, dataDir, isQuick, sized } from "./project";
export { loadElectricity, loadText, TEXTS } from "./data";
export type { ElectricitySeries } from "./data";
export { show, showLive, isRich, escapeHtml, setOutputSink } from "./notebook/display";
export type { MimeBundle, OutputSink, LiveOutput } from "./notebook/display";
export { plot, plotBundle, plotlyBundle, PLOT_PLACEHOLDER } from "./notebook/plot";
export type { Figure } from "./notebook/plot";
export { table, tableBundle } from "./notebook/table";
export type { FrameLike, Row, TableOptions } from "./notebook/table";
export { progress } from "./notebook/progress";
export type { Progress, ProgressOptions } from "./notebook/progress";
export { record, readMetrics, metricsPath } from "./notebook/record";
export type { MetricValue } from "./notebook/record";
export { setup } from "./notebook/setup";
export type { SetupInfo } from "./notebook/setup";
