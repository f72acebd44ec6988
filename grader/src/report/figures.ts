import type { AttemptResult, CheckResult } from '../result/schema.ts';
import type { Figure, Provenance, ReportFigures } from './schema.ts';

type Kind = 'number' | 'string' | 'boolean';

/** One figure a capstone check records (labs/capstone/CONTRACT.md) and the report slot it fills. */
interface FigureSpec {
  /** The key in a check result's `figures`. */
  key: string;
  /** Where it goes in ReportFigures. */
  path: readonly [string] | readonly [string, string];
  /** The value types the slot accepts. */
  kinds: readonly Kind[];
  unit?: string;
  /** Declared by the learner's service rather than measured: never more than self-reported. */
  declared?: boolean;
}

/** Every figure the report has a slot for, in the order the report shows them. */
export const FIGURE_SPECS: readonly FigureSpec[] = [
  { key: 'dataset.name', path: ['dataset', 'name'], kinds: ['string'] },
  { key: 'dataset.rows', path: ['dataset', 'rows'], kinds: ['number'], unit: 'rows' },
  { key: 'dataset.sha256', path: ['dataset', 'sha256'], kinds: ['string'] },
  { key: 'model', path: ['model'], kinds: ['string'] },
  { key: 'precision', path: ['precision'], kinds: ['number'] },
  { key: 'recall', path: ['recall'], kinds: ['number'] },
  { key: 'f1', path: ['f1'], kinds: ['number'] },
  { key: 'rocAuc', path: ['rocAuc'], kinds: ['number'] },
  { key: 'seed', path: ['seed'], kinds: ['number'] },
  { key: 'reproducible', path: ['reproducible'], kinds: ['boolean'] },
  { key: 'mlflow.runs', path: ['mlflow', 'runs'], kinds: ['number'] },
  { key: 'mlflow.versions', path: ['mlflow', 'versions'], kinds: ['number'] },
  { key: 'mlflow.champion', path: ['mlflow', 'champion'], kinds: ['string', 'number'] },
  { key: 'image.sizeMb', path: ['image', 'sizeMb'], kinds: ['number'], unit: 'MB' },
  { key: 'image.user', path: ['image', 'user'], kinds: ['string', 'number'] },
  { key: 'image.healthy', path: ['image', 'healthy'], kinds: ['boolean'] },
  { key: 'ci.triggers', path: ['ci', 'triggers'], kinds: ['string', 'number'] },
  { key: 'gate.rejectsWorse', path: ['ci', 'gateRejectsWorse'], kinds: ['boolean'] },
  { key: 'load.rps', path: ['load', 'rps'], kinds: ['number'], unit: 'req/s' },
  { key: 'load.seconds', path: ['load', 'seconds'], kinds: ['number'], unit: 's' },
  { key: 'load.rowsPerRequest', path: ['load', 'rowsPerRequest'], kinds: ['number'], unit: 'rows' },
  { key: 'load.errors', path: ['load', 'errors'], kinds: ['number'] },
  { key: 'p50Ms', path: ['p50'], kinds: ['number'], unit: 'ms' },
  { key: 'p99Ms', path: ['p99'], kinds: ['number'], unit: 'ms' },
  { key: 'drift.method', path: ['drift', 'method'], kinds: ['string'], declared: true },
  { key: 'drift.threshold', path: ['drift', 'threshold'], kinds: ['number'], declared: true },
  { key: 'drift.alert', path: ['drift', 'alert'], kinds: ['string', 'boolean'] },
  { key: 'drift.secondsToAlert', path: ['drift', 'secondsToAlert'], kinds: ['number'], unit: 's' },
  { key: 'drift.cleanAlerts', path: ['drift', 'cleanAlerts'], kinds: ['number'] },
  { key: 'drift.shiftedFeatures', path: ['drift', 'shiftedFeatures'], kinds: ['string', 'number'] },
  { key: 'rollback.from', path: ['rollback', 'from'], kinds: ['string', 'number'] },
  { key: 'rollback.to', path: ['rollback', 'to'], kinds: ['string', 'number'] },
  { key: 'rollback.kubectl', path: ['rollback', 'kubectl'], kinds: ['boolean', 'string'] },
  { key: 'rollback.seconds', path: ['rollback', 'seconds'], kinds: ['number'], unit: 's' },
];

/** The milestone a check id belongs to: `m5-serves-under-load` -> 5. */
export function milestoneNumber(checkId: string): number | undefined {
  const m = /^m([1-9])-/i.exec(checkId);
  return m ? Number(m[1]) : undefined;
}

/** Every slot empty: what a report holds before any figure is read. */
export function emptyFigures(): ReportFigures {
  return {
    dataset: { name: null, rows: null, sha256: null },
    model: null,
    precision: null,
    recall: null,
    f1: null,
    rocAuc: null,
    seed: null,
    reproducible: null,
    mlflow: { runs: null, versions: null, champion: null },
    image: { sizeMb: null, user: null, healthy: null },
    ci: { triggers: null, gateRejectsWorse: null },
    load: { rps: null, seconds: null, rowsPerRequest: null, errors: null },
    p50: null,
    p99: null,
    drift: { method: null, threshold: null, alert: null, secondsToAlert: null, cleanAlerts: null, shiftedFeatures: null },
    rollback: { from: null, to: null, kubectl: null, seconds: null },
    other: {},
  };
}

export interface CollectOptions {
  /** What a passing check's measurement counts as: `verified` on the learner's machine, `re-verified` on a mentor server. */
  passProvenance: Extract<Provenance, 'verified' | 're-verified'>;
}

/**
 * The figures an attempt's checks recorded, each with its provenance.
 * When several checks record one key, a passing check wins over one that
 * did not pass, then the earlier check in the lab's order. Nothing is
 * computed or defaulted: a key no check recorded stays null.
 */
export function collectFigures(attempt: AttemptResult, options: CollectOptions): ReportFigures {
  const figures = emptyFigures();
  const specs = new Map(FIGURE_SPECS.map((s) => [s.key, s]));
  const chosen = new Map<string, Figure>();
  const better = (next: Figure, current: Figure | undefined): boolean =>
    current === undefined || (next.checkStatus === 'pass' && current.checkStatus !== 'pass');

  for (const check of attempt.checks) {
    for (const [key, value] of Object.entries(check.figures ?? {})) {
      const spec = specs.get(key);
      const fig = toFigure(check, key, value, spec, options);
      const slot = spec && spec.kinds.includes(typeof value as Kind) ? key : `other:${key}`;
      if (better(fig, chosen.get(slot))) chosen.set(slot, fig);
    }
  }

  for (const [slot, fig] of chosen) {
    if (slot.startsWith('other:')) {
      figures.other[slot.slice('other:'.length)] = fig;
      continue;
    }
    const path = specs.get(slot)!.path;
    const target = figures as unknown as Record<string, unknown>;
    if (path.length === 1) target[path[0]] = fig;
    else (target[path[0]] as Record<string, unknown>)[path[1]] = fig;
  }
  return figures;
}

function toFigure(
  check: CheckResult,
  key: string,
  value: number | string | boolean,
  spec: FigureSpec | undefined,
  options: CollectOptions,
): Figure {
  const declared = spec?.declared === true;
  const n = milestoneNumber(check.id);
  return {
    value,
    ...(spec?.unit ? { unit: spec.unit } : {}),
    provenance: check.status === 'pass' && !declared ? options.passProvenance : 'self-reported',
    basis: declared ? 'declared' : 'measured',
    key,
    checkId: check.id,
    checkStatus: check.status,
    ...(n !== undefined ? { milestone: `capstone/M${n}` } : {}),
  };
}

/** Every filled slot with a label, in the report's order, then the `other` figures: what the Markdown table lists. */
export function listFigures(figures: ReportFigures): { label: string; figure: Figure }[] {
  const out: { label: string; figure: Figure }[] = [];
  const source = figures as unknown as Record<string, unknown>;
  for (const spec of FIGURE_SPECS) {
    const fig = (
      spec.path.length === 1 ? source[spec.path[0]] : (source[spec.path[0]] as Record<string, unknown>)[spec.path[1]]
    ) as Figure | null;
    if (fig) out.push({ label: FIGURE_LABELS[spec.key] ?? spec.key, figure: fig });
  }
  for (const [key, fig] of Object.entries(figures.other)) out.push({ label: key, figure: fig });
  return out;
}

/** The figures the attempt did not record, by label. */
export function missingFigures(figures: ReportFigures): string[] {
  const present = new Set(listFigures(figures).map((f) => f.figure.key));
  return FIGURE_SPECS.filter((s) => !present.has(s.key) && !Object.hasOwn(figures.other, s.key)).map((s) => FIGURE_LABELS[s.key] ?? s.key);
}

/** How people read each figure. */
export const FIGURE_LABELS: Readonly<Record<string, string>> = {
  'dataset.name': 'Dataset',
  'dataset.rows': 'Dataset rows',
  'dataset.sha256': 'Dataset SHA-256',
  model: 'Model',
  precision: 'Precision (test split)',
  recall: 'Recall (test split)',
  f1: 'F1 (test split)',
  rocAuc: 'ROC AUC (test split)',
  seed: 'Seed',
  reproducible: 'Same metrics from the same seed',
  'mlflow.runs': 'MLflow runs',
  'mlflow.versions': 'Registered versions',
  'mlflow.champion': 'Champion version',
  'image.sizeMb': 'Image size',
  'image.user': 'Image user',
  'image.healthy': 'Container healthy',
  'ci.triggers': 'CI triggers',
  'gate.rejectsWorse': 'Gate refuses a worse candidate',
  'load.rps': 'Load: rate',
  'load.seconds': 'Load: duration',
  'load.rowsPerRequest': 'Load: rows per request',
  'load.errors': 'Load: errors',
  p50Ms: 'Latency p50',
  p99Ms: 'Latency p99',
  'drift.method': 'Drift method (declared by /ready)',
  'drift.threshold': 'Drift threshold (declared by /ready)',
  'drift.alert': 'Drift alert',
  'drift.secondsToAlert': 'Shift to alert',
  'drift.cleanAlerts': 'Alerts on clean traffic',
  'drift.shiftedFeatures': 'Shifted features',
  'rollback.from': 'Rollback from version',
  'rollback.to': 'Rollback to version',
  'rollback.kubectl': 'kubectl rollout undo invoked',
  'rollback.seconds': 'Rollback time',
};
