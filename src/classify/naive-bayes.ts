/**
 * Multinomial naive Bayes over token counts, the classic spam filter (Sahami et al. 1998):
 *
 *   log p(c | d) = log π_c + Σ_w n_w(d) log θ_{c,w} + const
 *   π_c = N_c / N,   θ_{c,w} = (count of w in class c + α) / (Σ_w' count of w' in c + α V)
 *
 * with Laplace (add-α) smoothing over a vocabulary of V ids.
 */

export interface NaiveBayes {
  /** log p(c | d) − log Σ_c' p(c' | d) for each class (log posterior), for one document. */
  logPosterior(doc: readonly number[]): number[];
  /** The most probable class of each document. */
  predict(docs: readonly (readonly number[])[]): number[];
}

export function naiveBayes(
  docs: readonly (readonly number[])[],
  labels: ArrayLike<number>,
  { classes = 2, vocabSize, alpha = 1 }: { classes?: number; vocabSize: number; alpha?: number },
): NaiveBayes {
  if (docs.length === 0 || docs.length !== labels.length)
    throw new Error(
      `naiveBayes: needs one label per document (${docs.length} documents, ${labels.length} labels)`,
    );
  if (!(alpha > 0)) throw new Error(`naiveBayes: alpha must be positive (got ${alpha})`);
  if (!(Number.isInteger(vocabSize) && vocabSize > 0))
    throw new Error(`naiveBayes: vocabSize must be a positive integer (got ${vocabSize})`);
  const V = vocabSize;
  const counts = Array.from({ length: classes }, () => new Float64Array(V)); //   count of w in c
  const docsOf = new Float64Array(classes);
  docs.forEach((d, i) => {
    const c = labels[i];
    if (!(Number.isInteger(c) && c >= 0 && c < classes))
      throw new Error(`naiveBayes: labels[${i}] is ${c}, outside the classes 0..${classes - 1}`);
    docsOf[c]++;
    for (const w of d) {
      if (!(Number.isInteger(w) && w >= 0 && w < V))
        throw new Error(
          `naiveBayes: document ${i} holds id ${w}, outside the vocabulary 0..${V - 1}`,
        );
      counts[c][w]++;
    }
  });
  const logPrior = Array.from(docsOf, (n) => Math.log(n / docs.length)); //           log π_c
  const logTheta = counts.map((cnt) => {
    const total = cnt.reduce((a, b) => a + b, 0) + alpha * V;
    return Float64Array.from(cnt, (n) => Math.log((n + alpha) / total)); //           log θ_{c,w}
  });
  const logPosterior = (doc: readonly number[]) => {
    const s = logPrior.map((lp, c) => doc.reduce((a, w) => a + (logTheta[c][w] ?? -Infinity), lp));
    const top = Math.max(...s);
    const norm = top + Math.log(s.reduce((a, v) => a + Math.exp(v - top), 0)); //   log Σ exp
    return s.map((v) => v - norm);
  };
  return {
    logPosterior,
    predict: (ds) =>
      ds.map((d) => {
        const s = logPosterior(d);
        return s.indexOf(Math.max(...s));
      }),
  };
}
