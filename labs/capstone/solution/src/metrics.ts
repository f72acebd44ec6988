/**
 * Binary classification metrics, written out so each one can be read and
 * checked: the tests compare every value with scikit-learn's on the same
 * predictions. Conventions follow scikit-learn: precision is 0 when nothing is
 * predicted positive, recall is 0 when there are no positives, F1 is 0 when
 * precision + recall is 0; ROC AUC gives tied scores half credit.
 */

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface ClassificationMetrics {
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
  rocAuc: number;
  /** Scores at or above it are predicted ">50K". */
  threshold: number;
  confusion: Confusion;
  /** Rows scored. */
  n: number;
}

function checkInputs(labels: ArrayLike<number>, scores: ArrayLike<number>): void {
  if (labels.length !== scores.length) throw new RangeError(`${labels.length} labels but ${scores.length} scores`);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new RangeError(`label ${i} is ${labels[i]}; labels must be 0 or 1`);
    if (!Number.isFinite(scores[i])) throw new RangeError(`score ${i} is ${scores[i]}; scores must be finite numbers`);
  }
}

/** Counts of each outcome when scores at or above `threshold` are predicted positive. */
export function confusionAt(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold: number): Confusion {
  checkInputs(labels, scores);
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i++) {
    const predicted = (scores[i] as number) >= threshold;
    if (labels[i] === 1) {
      if (predicted) c.tp++;
      else c.fn++;
    } else if (predicted) c.fp++;
    else c.tn++;
  }
  return c;
}

export const precisionOf = (c: Confusion): number => (c.tp + c.fp === 0 ? 0 : c.tp / (c.tp + c.fp));
export const recallOf = (c: Confusion): number => (c.tp + c.fn === 0 ? 0 : c.tp / (c.tp + c.fn));
/** 2·TP / (2·TP + FP + FN): the harmonic mean of precision and recall, as one fraction. */
export const f1Of = (c: Confusion): number => (2 * c.tp + c.fp + c.fn === 0 ? 0 : (2 * c.tp) / (2 * c.tp + c.fp + c.fn));
export const accuracyOf = (c: Confusion): number => {
  const n = c.tp + c.fp + c.tn + c.fn;
  return n === 0 ? 0 : (c.tp + c.tn) / n;
};

/**
 * Area under the ROC curve: the chance that a random positive scores above a
 * random negative, ties counting one half (the Mann–Whitney U statistic over
 * average ranks). NaN when one class is absent, as the curve is undefined.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkInputs(labels, scores);
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < n;) {
    let end = start;
    while (end + 1 < n && scores[order[end + 1] as number] === scores[order[start] as number]) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k] as number] === 1) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Every metric at one threshold. */
export function evaluate(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): ClassificationMetrics {
  const confusion = confusionAt(labels, scores, threshold);
  return {
    precision: precisionOf(confusion),
    recall: recallOf(confusion),
    f1: f1Of(confusion),
    accuracy: accuracyOf(confusion),
    rocAuc: rocAuc(labels, scores),
    threshold,
    confusion,
    n: labels.length,
  };
}

/**
 * The threshold with the highest F1 on these (validation) scores: one pass over
 * the distinct scores from the top, so each candidate is a score that occurs.
 * Ties in F1 keep the higher threshold (fewer positives flagged).
 */
export function chooseThreshold(labels: ArrayLike<number>, scores: ArrayLike<number>): { threshold: number; f1: number } {
  checkInputs(labels, scores);
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  let totalPositives = 0;
  for (let i = 0; i < n; i++) totalPositives += labels[i] as number;
  let tp = 0;
  let fp = 0;
  let best = { threshold: 0.5, f1: -1 };
  for (let k = 0; k < n;) {
    const value = scores[order[k] as number] as number;
    while (k < n && scores[order[k] as number] === value) {
      if (labels[order[k] as number] === 1) tp++;
      else fp++;
      k++;
    }
    const f1 = f1Of({ tp, fp, fn: totalPositives - tp, tn: 0 });
    if (f1 > best.f1) best = { threshold: value, f1 };
  }
  if (best.f1 < 0) best = { threshold: 0.5, f1: 0 };
  return best;
}
