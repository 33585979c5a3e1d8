/**
 * An encoder–decoder ("delayed sequence to sequence"): a bidirectional encoder reads the source
 * tokens, a bridge turns its final carries into the decoder's first carry, and the decoder
 * writes the target one token at a time, fed the previous token, until it writes <eos>.
 *
 *   h̄_1 … h̄_Ts, (e_fw, e_bw) = bidirectional(embed(x))             encoder outputs, final carries
 *   s_0[k] = tanh([e_fw[k], e_bw[k]] Wb_k + bb_k)                    bridge, per carry part k (h, c)
 *   s_t = decoder(s_{t−1}, E_y[y_{t−1}])                             y_0 = <bos>
 *   s̃_t = attention(s_t, h̄)   (attention.ts; tanh(s_t Wc + bc) without it)
 *   p(y_t | y_<t, x) = softmax(s̃_t Wo + bo)
 *   L = Σ_{b,t} m_bt · (−log p(y_bt)) / Σ m_bt       m = 1 on real target steps (up to <eos>)
 *
 * Training is teacher forcing: the decoder reads the reference y_{t−1}, so all Td steps run as
 * one scan. The decoder needs no mask: a padded step comes after every real one of its row and
 * its loss weight is 0, so nothing it computes reaches the loss. The source needs one: the
 * backward encoder must start at each word's last letter, and attention must not read padding.
 *
 * Backward (by hand, every piece's rule beside its forward): the loss's dz → the readout →
 * attendBackward → the decoder's BPTT (∂L/∂s_t per step) → ∂L/∂s_0 → the bridge → the encoder's
 * BPTT, with ∂L/∂h̄_j from attention and ∂L/∂(final carries) from the bridge.
 */
import * as tf from "@tensorflow/tfjs";
import { gru, lstm } from "../cells";
import { bidirectional } from "../compose";
import { embed } from "../embedding";
import { bias, glorotUniform, subSeed } from "../init";
import {
  Carry,
  checkSequence,
  disposeAll,
  ForwardOptions,
  Layer,
  Params,
  Pass,
  prefixed,
  unprefixed,
} from "../layer";
import { softmaxCrossEntropy } from "../loss";
import { unroll } from "../scan";
import { countParams } from "../cells/cell";
import { splitRows } from "../fast/rows";
import { disposeMask, stepMask } from "../mask";
import { attend, AttentionCache, attendBackward, attentionShapes } from "./attention";

/** Token ids every target vocabulary starts with. */
export const PAD_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;

export type Seq2SeqCell = "lstm" | "gru";
export type AttentionKind = "general" | "none";

export interface Seq2SeqOptions {
  /** Source vocabulary size (id 0 = <pad>). */
  sourceVocab: number;
  /** Target vocabulary size (ids 0, 1, 2 = <pad>, <bos>, <eos>). */
  targetVocab: number;
  /** Width of both embeddings. */
  embedSize?: number;
  /** Hidden size of each encoder direction (the encoder's outputs are twice as wide). */
  hiddenSize?: number;
  /** Hidden size of the decoder (default 2 · hiddenSize). */
  decoderSize?: number;
  /** Width of the attentional state s̃ (default decoderSize). */
  attentionSize?: number;
  cell?: Seq2SeqCell;
  attention?: AttentionKind;
}

export interface Seq2Seq {
  readonly kind: "seq2seq";
  readonly options: Required<Seq2SeqOptions>;
  /** embed → bidirectional(cell, cell), parameters "enc.*". */
  readonly encoder: Layer;
  /** embed → cell, parameters "dec.*". */
  readonly decoder: Layer;
  readonly shapes: Readonly<Record<string, readonly number[]>>;
}

const positive = (k: string, v: number) => {
  if (!Number.isInteger(v) || v <= 0)
    throw new Error(`seq2seq: ${k} must be a positive integer (got ${v})`);
};

export function seq2seq({
  sourceVocab,
  targetVocab,
  embedSize = 64,
  hiddenSize = 128,
  decoderSize = 2 * hiddenSize,
  attentionSize = decoderSize,
  cell = "lstm",
  attention = "general",
}: Seq2SeqOptions): Seq2Seq {
  const sizes = { sourceVocab, targetVocab, embedSize, hiddenSize, decoderSize, attentionSize };
  for (const [k, v] of Object.entries(sizes)) positive(k, v);
  if (targetVocab < 4)
    throw new Error(
      `seq2seq: targetVocab must be at least 4 (<pad>, <bos>, <eos> and one token; got ${targetVocab})`,
    );
  if (cell !== "lstm" && cell !== "gru")
    throw new Error(`seq2seq: cell must be "lstm" or "gru" (got ${JSON.stringify(cell)})`);
  if (attention !== "general" && attention !== "none")
    throw new Error(
      `seq2seq: attention must be "general" or "none" (got ${JSON.stringify(attention)})`,
    );
  const make = cell === "lstm" ? lstm : gru;
  const H = hiddenSize;
  const dir = () => unroll(make({ inputSize: embedSize, hiddenSize: H }));
  const encoder = embed(bidirectional(dir(), dir()), { vocabSize: sourceVocab });
  const decoder = embed(unroll(make({ inputSize: embedSize, hiddenSize: decoderSize })), {
    vocabSize: targetVocab,
  });
  const bridge: Record<string, number[]> = {};
  for (const k of Object.keys(decoder.carrySizes)) {
    bridge[`bridge.W${k}`] = [2 * H, decoderSize];
    bridge[`bridge.b${k}`] = [decoderSize];
  }
  return {
    kind: "seq2seq",
    options: { ...sizes, cell, attention },
    encoder,
    decoder,
    shapes: {
      ...prefixed(encoder.shapes, "enc."),
      ...prefixed(decoder.shapes, "dec."),
      ...bridge,
      ...attentionShapes(attention !== "none", decoderSize, 2 * H, attentionSize),
      "out.Wo": [attentionSize, targetVocab],
      "out.bo": [targetVocab],
    },
  };
}

export const isSeq2Seq = (m: unknown): m is Seq2Seq =>
  typeof m === "object" && m !== null && (m as Seq2Seq).kind === "seq2seq";

/** Seeded initial parameters. */
export function initSeq2Seq(m: Seq2Seq, seed: number): Params {
  const p: Params = {
    ...prefixed(m.encoder.init(subSeed(seed, 0)), "enc."),
    ...prefixed(m.decoder.init(subSeed(seed, 1)), "dec."),
  };
  let k = 2;
  for (const [name, shape] of Object.entries(m.shapes)) {
    if (p[name]) continue;
    p[name] =
      shape.length === 2
        ? glorotUniform(shape[0], shape[1], subSeed(seed, k++))
        : bias(shape[0], [], 0);
  }
  return p;
}

export const seq2seqParamCount = (m: Seq2Seq): number => countParams(m.shapes);

/** A padded batch of (source, target) pairs, as `pairBatch` makes it. */
export interface Seq2SeqBatch {
  /** Source ids, Ts steps [B, 1] (0 after each word). */
  xs: tf.Tensor2D[];
  /** [B, Ts]: 1 on real source steps. */
  srcMask: tf.Tensor2D;
  /** Decoder inputs, Td steps [B, 1]: <bos>, y_1 … y_n, then <pad>. */
  decIn: tf.Tensor2D[];
  /** Targets [B, Td]: y_1 … y_n, <eos>, then <pad>. */
  targets: tf.Tensor2D;
  /** [B, Td]: 1 on real target steps (<eos> included). */
  tgtMask: tf.Tensor2D;
}

/** The bridge: s_0[k] = tanh([e_fw[k], e_bw[k]] Wb_k + bb_k) for each decoder carry part. */
export function bridge(m: Seq2Seq, p: Params, enc: Carry): { s0: Carry; e: Carry } {
  const s0: Carry = {};
  const e: Carry = {};
  for (const k of Object.keys(m.decoder.carrySizes)) {
    e[k] = tf.concat([enc[`fw.${k}`], enc[`bw.${k}`]], 1); //                         [B, 2H]
    const z = tf.add(tf.matMul(e[k], p[`bridge.W${k}`]), p[`bridge.b${k}`]);
    s0[k] = tf.tanh(z) as tf.Tensor2D; //                                           [B, Hd]
  }
  return { s0, e };
}

/** The bridge's backward: ∂L/∂(encoder's final carry) and the bridge's gradients. */
function bridgeBackward(
  m: Seq2Seq,
  p: Params,
  { s0, e }: { s0: Carry; e: Carry },
  ds0: Carry,
): { dEnc: Carry; dParams: Params } {
  const dEnc: Carry = {};
  const dParams: Params = {};
  const H = m.options.hiddenSize;
  for (const k of Object.keys(s0)) {
    const dz = tf.mul(ds0[k], tf.sub(1, tf.square(s0[k]))); //                  ds ⊙ (1 − s²)
    dParams[`bridge.W${k}`] = tf.matMul(tf.transpose(e[k]), dz); //               eᵀ dz
    dParams[`bridge.b${k}`] = tf.sum(dz, 0); //                                  Σ dz
    const de = tf.matMul(dz, tf.transpose(p[`bridge.W${k}`])); //                 dz Wbᵀ
    const [dfw, dbw] = tf.split(de, [H, H], 1);
    dEnc[`fw.${k}`] = dfw as tf.Tensor2D;
    dEnc[`bw.${k}`] = dbw as tf.Tensor2D;
  }
  return { dEnc, dParams };
}

/** Steps [B, W] stacked batch-major: [B, T, W]. */
const batchMajor = (ys: tf.Tensor2D[]) => tf.stack(ys, 1) as tf.Tensor3D;

/** [B, T, W] back into T steps [B, W]. */
function timeSteps(x: tf.Tensor3D): tf.Tensor2D[] {
  const [B, T, W] = x.shape;
  return splitRows(tf.reshape(tf.transpose(x, [1, 0, 2]), [T * B, W]) as tf.Tensor2D, T);
}

/** Checks a batch's shapes against the model; returns B, Ts, Td. */
export function checkBatch(m: Seq2Seq, batch: Seq2SeqBatch): { B: number; Ts: number; Td: number } {
  const what = "seq2seq";
  if (typeof batch !== "object" || batch === null)
    throw new Error(`${what}: needs a batch { xs, srcMask, decIn, targets, tgtMask } (pairBatch)`);
  const B = checkSequence(what, batch.xs, 1);
  const Bd = checkSequence(what, batch.decIn, 1, "decIn");
  const Ts = batch.xs.length;
  const Td = batch.decIn.length;
  const want = (name: string, t: unknown, shape: number[]) => {
    if (!(t instanceof tf.Tensor) || t.shape.join() !== shape.join())
      throw new Error(
        `${what}: ${name} must be [${shape.join(", ")}] (make batches with pairBatch)`,
      );
  };
  if (Bd !== B) throw new Error(`${what}: decIn has ${Bd} rows but xs has ${B}`);
  want("srcMask", batch.srcMask, [B, Ts]);
  want("targets", batch.targets, [B, Td]);
  want("tgtMask", batch.tgtMask, [B, Td]);
  return { B, Ts, Td };
}

/** The forward pass of a whole batch (teacher forcing): every value the backward reads. */
interface Forward {
  enc: Pass;
  dec: Pass;
  br: { s0: Carry; e: Carry };
  S: tf.Tensor3D;
  Hbar?: tf.Tensor3D;
  att: AttentionCache;
  /** Logits rows [B·Td, V], batch-major. */
  Z: tf.Tensor2D;
}

function forward(m: Seq2Seq, p: Params, batch: Seq2SeqBatch, src: ForwardOptions): Forward {
  const enc = m.encoder.forward(unprefixed(p, "enc."), batch.xs, src);
  let dec: Pass | undefined;
  try {
    const br = tf.tidy(() => bridge(m, p, enc.carry));
    const d = m.decoder.forward(unprefixed(p, "dec."), batch.decIn, { carry: br.s0 });
    dec = d;
    const rest = tf.tidy(() => {
      const S = batchMajor(d.ys); //                                               [B, Td, Hd]
      const Hbar = m.options.attention === "none" ? undefined : batchMajor(enc.ys); // [B,Ts,2H]
      const att = attend(p, { S, Hbar, srcMask: batch.srcMask });
      const Z = tf.add(tf.matMul(att.St, p["out.Wo"]), p["out.bo"]) as tf.Tensor2D; // s̃ Wo + bo
      return { S, Hbar, att, Z } as unknown as tf.TensorContainer;
    }) as unknown as Pick<Forward, "S" | "Hbar" | "att" | "Z">;
    return { enc, dec, br, ...rest };
  } catch (e) {
    enc.dispose();
    dec?.dispose();
    throw e;
  }
}

/** Masked mean cross-entropy of the target rows, and ∂L/∂Z. */
function targetLoss(Z: tf.Tensor2D, batch: Seq2SeqBatch) {
  const V = Z.shape[1];
  const ids = tf.cast(tf.reshape(batch.targets, [-1]), "int32") as tf.Tensor1D; //  [B·Td]
  const w = tf.reshape(batch.tgtMask, [-1, 1]); //                                   [B·Td, 1]
  const n = tf.sum(w); //                                                            Σ m
  const { losses, dz } = softmaxCrossEntropy(Z, tf.oneHot(ids, V).toFloat() as tf.Tensor2D);
  return {
    loss: tf.div(tf.sum(tf.mul(losses, tf.reshape(w, [-1]))), n) as tf.Scalar, //    Σ m ℓ / Σ m
    dZ: tf.div(tf.mul(dz, w), n) as tf.Tensor2D, //                                   m (p − y) / Σ m
  };
}

/**
 * The training loss as a differentiable function of the parameters (the same forward), for an
 * autodiff check of the hand-written backward: `tf.grads` of it is the oracle.
 */
export function seq2seqLoss(m: Seq2Seq, p: Params, batch: Seq2SeqBatch): tf.Scalar {
  checkBatch(m, batch);
  return tf.tidy(() => {
    const f = forward(m, p, batch, { mask: batch.srcMask });
    try {
      return targetLoss(f.Z, batch).loss;
    } finally {
      f.enc.dispose();
      f.dec.dispose();
    }
  });
}

export interface Seq2SeqGrads {
  loss: number;
  /** Gradients by parameter name; the caller owns them. */
  grads: Params;
}

/** One forward and backward pass of the encoder–decoder (teacher forcing, masked loss). */
export function seq2seqLossAndGrads(m: Seq2Seq, p: Params, batch: Seq2SeqBatch): Seq2SeqGrads {
  checkBatch(m, batch);
  for (const k of Object.keys(m.shapes))
    if (!(p[k] instanceof tf.Tensor) || p[k].shape.join() !== m.shapes[k].join())
      throw new Error(`seq2seq: parameter ${k} must be [${m.shapes[k].join(", ")}]`);
  const src = stepMask("seq2seq", batch.srcMask, batch.xs[0].shape[0], batch.xs.length);
  let f: Forward;
  try {
    f = forward(m, p, batch, { mask: src.mask });
  } catch (e) {
    disposeMask(src);
    throw e;
  }
  try {
    return tf.tidy(() => {
      const { loss, dZ } = targetLoss(f.Z, batch);
      const dWo = tf.matMul(tf.transpose(f.att.St), dZ); //                       s̃ᵀ dz
      const dbo = tf.sum(dZ, 0); //                                              Σ dz
      const dSt = tf.matMul(dZ, tf.transpose(p["out.Wo"])) as tf.Tensor2D; //      dz Woᵀ
      const a = attendBackward(p, { S: f.S, Hbar: f.Hbar }, f.att, dSt);
      const gDec = f.dec.backward(timeSteps(a.dS), { inputGrads: false }); //   decoder BPTT
      const br = bridgeBackward(m, p, f.br, gDec.dCarry); //                    ∂L/∂s_0 → encoder
      const dys = a.dHbar ? timeSteps(a.dHbar) : f.enc.ys.map(() => null);
      const gEnc = f.enc.backward(dys, { dCarry: br.dEnc, inputGrads: false }); // encoder BPTT
      const grads: Params = {
        ...prefixed(gEnc.dParams, "enc."),
        ...prefixed(gDec.dParams, "dec."),
        ...br.dParams,
        ...a.dParams,
        "out.Wo": dWo,
        "out.bo": dbo,
      };
      return { loss: loss.dataSync()[0], grads } as unknown as tf.TensorContainer;
    }) as unknown as Seq2SeqGrads;
  } finally {
    f.enc.dispose();
    f.dec.dispose();
    disposeAll(f.br, f.S, f.Hbar, f.att, f.Z);
    disposeMask(src);
  }
}
