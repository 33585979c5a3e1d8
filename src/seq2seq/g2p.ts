/**
 * Grapheme-to-phoneme conversion with the encoder–decoder: the vocabularies of letters and
 * phonemes, training pairs, batched prediction, and a saved model that `g2p(word)` uses.
 *
 *   letters   <pad> = 0, then a … z, ' (ids 1 … 27)
 *   phonemes  <pad> = 0, <bos> = 1, <eos> = 2, then the phoneme symbols (ids 3 …)
 *
 *   const g = rnn.loadG2P("reports/g2p-model");
 *   g.g2p("workbook")          // [{ phonemes: ["W", "ER", "K", "B", "UH", "K"], score: … }, …]
 */
import { loadCheckpoint, saveCheckpoint } from "../checkpoint";
import { checkWord, G2P_ALPHABET, G2PEntry } from "../datasets/cmudict";
import { disposeAll, Params } from "../layer";
import { Pair } from "./batches";
import { beamSearch, greedyDecode, Hypothesis } from "./decode";
import { EOS_ID, seq2seq, Seq2Seq, Seq2SeqOptions } from "./model";

export interface G2PVocab {
  /** Source symbols by id ("<pad>", "a", …). */
  readonly letters: readonly string[];
  /** Target symbols by id ("<pad>", "<bos>", "<eos>", "AA", …). */
  readonly phonemes: readonly string[];
  /** Letter ids of a word (checked: a–z and ' only). */
  encodeWord(word: string): number[];
  /** Phoneme ids of a pronunciation. */
  encodePron(pron: readonly string[]): number[];
  /** Phoneme symbols of target ids (up to <eos>). */
  decode(ids: readonly number[]): string[];
}

export function g2pVocab(phonemes: readonly string[]): G2PVocab {
  if (!Array.isArray(phonemes) || phonemes.length === 0)
    throw new Error("g2pVocab: needs the phoneme symbols, e.g. loadCmudict().phonemes");
  const letters = ["<pad>", ...G2P_ALPHABET];
  const targets = ["<pad>", "<bos>", "<eos>", ...phonemes];
  const letterId = new Map(letters.map((c, i) => [c, i]));
  const phonemeId = new Map(targets.map((s, i) => [s, i]));
  return {
    letters,
    phonemes: targets,
    encodeWord: (word) => [...checkWord(word)].map((c) => letterId.get(c)!),
    encodePron: (pron) =>
      pron.map((s) => {
        const id = phonemeId.get(s);
        if (id === undefined || id <= EOS_ID)
          throw new Error(`g2pVocab: "${s}" is not one of the ${phonemes.length} phoneme symbols`);
        return id;
      }),
    decode: (ids) => {
      const end = ids.indexOf(EOS_ID);
      return (end < 0 ? ids : ids.slice(0, end)).map((i) => targets[i]);
    },
  };
}

/** Training pairs: one per pronunciation (a word with two pronunciations gives two pairs). */
export function g2pPairs(entries: readonly G2PEntry[], vocab: G2PVocab): Pair[] {
  return entries.flatMap((e) => {
    const src = vocab.encodeWord(e.word);
    return e.prons.map((pron) => ({ src, tgt: vocab.encodePron(pron) }));
  });
}

export interface PredictOptions {
  /** Beam width (1: greedy decoding). */
  beam?: number;
  /** Words decoded together. */
  batchSize?: number;
  maxLength?: number;
  lengthPenalty?: number;
}

/**
 * The best pronunciation of every word (phoneme symbols), decoded in batches of similar
 * length: greedy for beam = 1, else beam search.
 */
export function predictWords(
  m: Seq2Seq,
  p: Params,
  vocab: G2PVocab,
  words: readonly string[],
  { beam = 5, batchSize = 256, maxLength = 30, lengthPenalty = 1 }: PredictOptions = {},
): string[][] {
  const ids = words.map((w) => vocab.encodeWord(w));
  const order = ids.map((_, i) => i).sort((a, b) => ids[a].length - ids[b].length || a - b);
  const out: string[][] = new Array(words.length);
  for (let s = 0; s < order.length; s += batchSize) {
    const chunk = order.slice(s, s + batchSize);
    const src = chunk.map((i) => ids[i]);
    const best: Hypothesis[] =
      beam === 1
        ? greedyDecode(m, p, src, { maxLength })
        : beamSearch(m, p, src, { beam, maxLength, lengthPenalty, nBest: 1 }).map((h) => h[0]);
    chunk.forEach((i, j) => (out[i] = vocab.decode(best[j].tokens)));
  }
  return out;
}

/** A trained G2P model: `g2p(word)` gives its n-best pronunciations. */
export interface G2P {
  readonly model: Seq2Seq;
  readonly params: Params;
  readonly vocab: G2PVocab;
  /** The n-best pronunciations of a word, best first, with their scores (log p / length). */
  g2p(
    word: string,
    options?: { beam?: number; nBest?: number },
  ): { phonemes: string[]; score: number }[];
  dispose(): void;
}

function makeG2P(model: Seq2Seq, params: Params, vocab: G2PVocab): G2P {
  return {
    model,
    params,
    vocab,
    g2p(word, { beam = 5, nBest = Math.min(3, beam) } = {}) {
      const src = vocab.encodeWord(word);
      const hyps = beamSearch(model, params, [src], { beam, nBest })[0];
      return hyps.map((h) => ({ phonemes: vocab.decode(h.tokens), score: h.score }));
    },
    dispose: () => disposeAll(params),
  };
}

/** Saves a G2P model (parameters, model options, phoneme symbols) as a checkpoint directory. */
export function saveG2P(dir: string, model: Seq2Seq, params: Params, vocab: G2PVocab): void {
  saveCheckpoint(dir, params, {
    kind: "g2p",
    options: model.options,
    phonemes: vocab.phonemes.slice(3),
  });
}

/** Loads a G2P model saved by saveG2P; the caller disposes it. */
export function loadG2P(dir: string): G2P {
  const ck = loadCheckpoint<{ kind?: string; options?: Seq2SeqOptions; phonemes?: string[] }>(dir);
  const { kind, options, phonemes } = ck.meta;
  if (kind !== "g2p" || !options || !Array.isArray(phonemes)) {
    disposeAll(ck.params, ck.optimizer);
    throw new Error(`loadG2P: ${dir} is not a G2P checkpoint (save one with saveG2P)`);
  }
  disposeAll(ck.optimizer);
  const model = seq2seq(options);
  for (const [k, s] of Object.entries(model.shapes)) {
    if (ck.params[k]?.shape.join() !== s.join()) {
      disposeAll(ck.params);
      throw new Error(`loadG2P: ${dir} has no parameter ${k} [${s.join(", ")}]`);
    }
  }
  return makeG2P(model, ck.params, g2pVocab(phonemes));
}
