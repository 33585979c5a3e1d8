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
export {
  show,
  showMarkdown,
  showLive,
  isRich,
  escapeHtml,
  setOutputSink,
  flushOutputs,
  clearOutput,
} from "./notebook/display";
export type { MimeBundle, OutputSink, LiveOutput } from "./notebook/display";
export { plot, plotBundle, plotlyBundle, PLOT_PLACEHOLDER } from "./notebook/plot";
export type { Figure } from "./notebook/plot";
export { table, tableBundle } from "./notebook/table";
export type { FrameLike, Row, TableOptions } from "./notebook/table";
export { progress } from "./notebook/progress";
export type { Progress, ProgressOptions } from "./notebook/progress";
export { fit } from "./notebook/fit";
export type { FitOptions, FitResult, Steppable } from "./notebook/fit";
export { record, readMetrics, metricsPath, metricUnit } from "./notebook/record";
export type { MetricValue } from "./notebook/record";
export { setup, plotlyOutput, PLOTLY_BY_REPORT } from "./notebook/setup";
export { seeds, meanSd, formatMeanSd } from "./notebook/seeds";
export { cellDiagram, cellDiagramData, diagramSvg, DIAGRAM_KINDS } from "./notebook/diagram";
export type { Diagram, DiagramKind, DiagramNode, DiagramWire } from "./notebook/diagram";
export type { MeanSd } from "./notebook/seeds";
export type { SetupInfo } from "./notebook/setup";
export { oneHot } from "./onehot";
export { gradcheck, gradErrors, relativeError } from "./gradcheck";
export type { GradcheckOptions, GradcheckResult, GradSet } from "./gradcheck";

// ── the library core: cells, unrolling, BPTT, compositions, training ──
export { simpleRNN, lstm, gru, mgu, CELLS, cellByName } from "./cells";
export type { SimpleRNNOptions, LSTMOptions, GRUOptions, MGUOptions, CellSizes } from "./cells";
export { countParams, outer, rowSum } from "./cells/cell";
export type { Cell, Carry, Params, Cache, StepRecord, Outer, StepGrads } from "./cells/cell";
export { tfOps, dSigmoid, dTanh } from "./ops";
export type { Ops } from "./ops";
export { unroll } from "./scan";
export { traceSteps } from "./trace";
export type { StepTrace } from "./trace";
export { setFused, fastPath, stepPath, SIMD_CELLS } from "./fast/policy";
export type { StepPath } from "./fast/policy";
export { zeroCarry, disposeAll } from "./layer";
export type { Layer, Pass, Grads, ForwardOptions, BackwardOptions, Training } from "./layer";
export { reverse, bidirectional, stack, MERGE_MODES } from "./compose";
export { dropout, dropMask } from "./dropout";
export type { DropoutRates } from "./dropout";
export { embed } from "./embedding";
export {
  loadFashionMnist,
  imageRows,
  FASHION_CLASSES,
  FASHION_PIXEL,
} from "./datasets/fashion-mnist";
export type { FashionMnist } from "./datasets/fashion-mnist";
export { classify } from "./classify/predict";
export type { Classified, ClassifierInput } from "./classify/predict";
export { accuracy, confusionMatrix, classScores } from "./classify/metrics";
export type { ClassScores } from "./classify/metrics";
export { logisticRegression } from "./classify/logreg";
export { naiveBayes } from "./classify/naive-bayes";
export type { NaiveBayes } from "./classify/naive-bayes";
export { loadSpamAssassin, parseEmail, stratifiedSplit, htmlText } from "./datasets/spam";
export type { SpamMessage, SpamCorpus } from "./datasets/spam";
export { loadCmudict, g2pSplit, checkWord, G2P_ALPHABET } from "./datasets/cmudict";
export type { G2PEntry, Cmudict } from "./datasets/cmudict";
export { editDistance, alignment, errorRates, confusions } from "./seq2seq/metrics";
export type { EditOp, ErrorRates, Confusion } from "./seq2seq/metrics";
export { wordTokens, tokenVocabulary, PAD, UNK } from "./text/words";
export type { TokenVocabulary } from "./text/words";
export type { LogisticRegression, LogisticRegressionData } from "./classify/logreg";
export type { EmbedOptions } from "./embedding";
export type { MergeMode } from "./compose";
export { maskFromLengths, stepMask } from "./mask";
export { checkFinite, checkDistributions } from "./guards";
export type { StepMask, MaskInput } from "./mask";
export { bucketBatches, randomBatches, shuffledBatches, paddingFraction } from "./bucket";
export type { BucketOptions } from "./bucket";
export { softmaxCrossEntropy, meanSquaredError, LOSSES } from "./loss";
export type { LossName, LossValue } from "./loss";
export { model, initModel, modelParamCount, lossAndGrads, predict } from "./model";
export type { Prediction } from "./model";
export type {
  Model,
  ModelOptions,
  Batch,
  OutputMode,
  LossAndGrads,
  LossAndGradsOptions,
} from "./model";
export { clipByGlobalNorm, clipByValue, globalNorm } from "./clip";
export { trainer, trainTruncated, makeOptimizer, OPTIMIZERS } from "./train";
export type {
  Trainer,
  TrainerOptions,
  StepResult,
  StepOptions,
  OptimizerName,
  TruncatedOptions,
} from "./train";
export { glorotUniform, orthogonal, rng } from "./init";
export { modelFromSpec, specOf } from "./spec";
export type { ModelSpec, LayerSpec } from "./spec";

// ── training on every core (notebook 11) ──
export { parallelTrainer } from "./parallel/sync";
export type { ParallelTrainer, ParallelTrainerOptions, ParallelStepResult } from "./parallel/sync";
export { asyncTrainer } from "./parallel/async";
export {
  saveSafetensors,
  loadSafetensors,
  encodeSafetensors,
  decodeSafetensors,
} from "./interop/safetensors";
export type { RawTensor, Safetensors } from "./interop/safetensors";
export { saveTorch, loadTorch, toTorch, fromTorch, specFromTorch } from "./interop/torch";
export type { TorchConfig } from "./interop/torch";
export { torchPython, torchForward, torchTrain, batchFirst } from "./interop/python";
export type {
  AsyncTrainer,
  AsyncTrainerOptions,
  AsyncRunOptions,
  AsyncUpdate,
} from "./parallel/async";

// ── time series (notebook 06) ──
export { checkSeries, wallClockMinutes } from "./series/check";
export { fitMinMax } from "./series/scale";
export type { MinMaxScaler } from "./series/scale";
export { splitByTime } from "./series/split";
export type { TimeSplit, Range } from "./series/split";
export { rmse, mae, mape } from "./series/metrics";
export { windowTargets, windowInputs } from "./series/windows";
export type { WindowOptions } from "./series/windows";
export { statefulLayout, overlappingLayout, checkContinuity } from "./series/stateful";
export type { Layout, Continuity } from "./series/stateful";
export { dstDays, repairDst, lastSunday } from "./series/dst";
export type { DstDay } from "./series/dst";

// ── tasks for the notebooks ──
export { firstSymbolBatch } from "./tasks/gap";
export type { GapBatch, GapOptions } from "./tasks/gap";

// ── text (notebook 07) and checkpoints ──
export { vocabulary } from "./text/vocab";
export type { Vocabulary } from "./text/vocab";
export { textLayout, textBatch, tokenBatch, randomWindows } from "./text/batches";
export type { TextBatch, TokenBatch, RandomWindowOptions } from "./text/batches";
export { textLoss } from "./text/evaluate";
export type { TextLossOptions } from "./text/evaluate";
export { sample, samplingDistribution } from "./text/sample";
export type { SampleOptions, Sample } from "./text/sample";
export { charModel, charModelSpec } from "./text/charmodel";
export type { CharModelConfig } from "./text/charmodel";
export { saveCheckpoint, loadCheckpoint, CHECKPOINT_FORMAT } from "./checkpoint";
export type { Checkpoint, LoadOptions } from "./checkpoint";
export type { AdamState } from "./adam";
export {
  seq2seq,
  initSeq2Seq,
  seq2seqLoss,
  seq2seqLossAndGrads,
  seq2seqParamCount,
  isSeq2Seq,
  PAD_ID,
  BOS_ID,
  EOS_ID,
} from "./seq2seq/model";
export type {
  Seq2Seq,
  Seq2SeqOptions,
  Seq2SeqBatch,
  Seq2SeqGrads,
  Seq2SeqCell,
  AttentionKind,
} from "./seq2seq/model";
export { pairBatch, sourceBatch } from "./seq2seq/batches";
export type { Pair } from "./seq2seq/batches";
export { greedyDecode, beamSearch, freeRunningLoss } from "./seq2seq/decode";
export type { Hypothesis, DecodeOptions, BeamOptions } from "./seq2seq/decode";
export { g2pVocab, g2pPairs, predictWords, saveG2P, loadG2P } from "./seq2seq/g2p";
export type { G2P, G2PVocab, PredictOptions } from "./seq2seq/g2p";
