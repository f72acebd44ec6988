import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { venvDir } from '../../../../grader/src/paths.ts';
import { describeWithTool, toolGate } from '../../../../grader/test-support/tools.ts';
import { chooseThreshold, confusionAt, evaluate, f1Of, rocAuc } from './metrics.ts';
import { seededRandom } from './random.ts';

const execFileAsync = promisify(execFile);
const PYTHON = join(venvDir(), 'bin', 'python');

const sklearn = await toolGate('scikit-learn in the project venv', async () => {
  try {
    const { stdout } = await execFileAsync(PYTHON, ['-c', 'import sklearn; print(sklearn.__version__)'], { timeout: 60_000 });
    return { available: true, detail: stdout.trim() };
  } catch (error) {
    return {
      available: false,
      reason: `${PYTHON} cannot import sklearn (${(error as Error).message.split('\n')[0]})`,
      hint: 'run `npm run setup:tools`',
    };
  }
});

describe('metrics by hand', () => {
  const labels = [1, 1, 1, 0, 0, 0, 0, 1];
  const scores = [0.9, 0.8, 0.3, 0.7, 0.2, 0.1, 0.4, 0.6];

  it('counts the confusion matrix at a threshold (scores at the threshold are positive)', () => {
    expect(confusionAt(labels, scores, 0.6)).toEqual({ tp: 3, fp: 1, tn: 3, fn: 1 });
    expect(confusionAt(labels, scores, 0.7)).toEqual({ tp: 2, fp: 1, tn: 3, fn: 2 });
  });

  it('returns precision, recall and F1 with scikit-learn zero-division conventions', () => {
    const m = evaluate(labels, scores, 0.6);
    expect([m.precision, m.recall, m.f1, m.accuracy]).toEqual([0.75, 0.75, 0.75, 0.75]);
    const none = evaluate(labels, scores, 2);
    expect([none.precision, none.recall, none.f1]).toEqual([0, 0, 0]);
    expect(f1Of({ tp: 0, fp: 0, tn: 5, fn: 0 })).toBe(0);
  });

  it('gives tied scores half credit in ROC AUC and NaN with one class', () => {
    expect(rocAuc([0, 1], [0.5, 0.5])).toBe(0.5);
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    expect(rocAuc([1, 1], [0.2, 0.3])).toBeNaN();
  });

  it('errors on mismatched lengths, labels other than 0/1 and non-finite scores', () => {
    expect(() => evaluate([1, 0], [0.5])).toThrow(/2 labels but 1 scores/);
    expect(() => evaluate([2], [0.5])).toThrow(/labels must be 0 or 1/);
    expect(() => rocAuc([1, 0], [Number.NaN, 0.1])).toThrow(/scores must be finite/);
  });

  it('chooses the threshold with the best F1, matching a brute-force search', () => {
    const random = seededRandom(5);
    const ys = Array.from({ length: 400 }, () => (random() < 0.3 ? 1 : 0));
    const ss = ys.map((y) => Math.round((0.35 * y + 0.65 * random()) * 50) / 50);
    const chosen = chooseThreshold(ys, ss);
    const brute = Math.max(...[...new Set(ss)].map((t) => evaluate(ys, ss, t).f1));
    expect(chosen.f1).toBe(brute);
    expect(evaluate(ys, ss, chosen.threshold).f1).toBe(brute);
  });
});

describeWithTool(sklearn, 'metrics against scikit-learn', () => {
  it('matches precision_score, recall_score, f1_score, accuracy_score, roc_auc_score and confusion_matrix to 1e-9', async () => {
    const cases = [0, 1, 2].map((seed) => {
      const random = seededRandom(100 + seed);
      const labels = Array.from({ length: 3000 }, () => (random() < 0.25 ? 1 : 0));
      // Rounded scores make many ties, the case ROC AUC implementations get wrong.
      const scores = labels.map((y) => Math.round((0.3 * y + 0.7 * random()) * (seed === 0 ? 20 : 1000)) / (seed === 0 ? 20 : 1000));
      return { labels, scores, threshold: [0.5, 0.37, 0.61][seed] as number };
    });
    const script = `
import json, sys
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_score, recall_score, roc_auc_score
out = []
for c in json.load(sys.stdin):
    y, s = c['labels'], c['scores']
    p = [1 if v >= c['threshold'] else 0 for v in s]
    tn, fp, fn, tp = confusion_matrix(y, p, labels=[0, 1]).ravel().tolist()
    out.append({'precision': precision_score(y, p, zero_division=0), 'recall': recall_score(y, p, zero_division=0),
                'f1': f1_score(y, p, zero_division=0), 'accuracy': accuracy_score(y, p), 'rocAuc': roc_auc_score(y, s),
                'confusion': {'tp': tp, 'fp': fp, 'tn': tn, 'fn': fn}})
print(json.dumps(out))
`;
    const child = execFile(PYTHON, ['-c', script], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
    child.stdin?.end(JSON.stringify(cases));
    const stdout = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`python exited ${code}`))));
    });
    const expected = JSON.parse(stdout) as Record<string, number | Record<string, number>>[];
    cases.forEach((c, i) => {
      const ours = evaluate(c.labels, c.scores, c.threshold);
      const theirs = expected[i] as Record<string, number | Record<string, number>>;
      for (const key of ['precision', 'recall', 'f1', 'accuracy', 'rocAuc'] as const) {
        expect(Math.abs(ours[key] - (theirs[key] as number)), `${key} of case ${i}`).toBeLessThan(1e-9);
      }
      expect(ours.confusion).toEqual(theirs.confusion);
    });
  });
});
