/**
 * Feature encoding: numbers standardised (z-scores, with log1p first for the
 * long-tailed money columns), categories one-hot with an "other" bucket for
 * rare or unseen values and a "missing" column for empty ones. The encoding is
 * fitted on the training rows only and saved beside the model, so serving
 * applies exactly the transform the model was trained with.
 */
import { z } from 'zod';
import { CATEGORICAL_COLUMNS, NUMERIC_COLUMNS, type CategoricalColumn, type FeatureRow, type NumericColumn } from './data.ts';

/** fnlwgt is the census sampling weight of a row, not a trait of the person: it is left out of the features. */
export const FEATURE_NUMERIC: readonly NumericColumn[] = NUMERIC_COLUMNS.filter((c) => c !== 'fnlwgt');
/** Money columns are mostly 0 with a few very large values: log1p tames them before scaling. */
const LOG_COLUMNS: ReadonlySet<NumericColumn> = new Set(['capital_gain', 'capital_loss']);

export const OTHER = '__other__';
export const MISSING = '__missing__';

export const encodingSchema = z.object({
  version: z.literal(1),
  numeric: z.array(
    z.object({
      name: z.enum(NUMERIC_COLUMNS),
      transform: z.enum(['identity', 'log1p']),
      /** Mean of the transformed training values (also what a missing value becomes). */
      mean: z.number(),
      /** Standard deviation of the transformed training values (1 when constant). */
      std: z.number().positive(),
      /**
       * Upper edges of the value bins (raw scale, ascending); each bin is also a
       * one-hot column, so the network can learn steps such as "any capital
       * gain above 7,000" that a single scaled number hides.
       */
      binEdges: z.array(z.number()),
    }),
  ),
  categorical: z.array(
    z.object({
      name: z.enum(CATEGORICAL_COLUMNS),
      /** Values seen at least `minCount` times in training, each with its own column. */
      categories: z.array(z.string()),
    }),
  ),
  /** Column names of the encoded matrix, in order. */
  featureNames: z.array(z.string()),
});

export type Encoding = z.infer<typeof encodingSchema>;

export interface EncodingOptions {
  /** A category needs this many training rows to get its own column; rarer ones go to "other" (default 20). */
  minCount?: number;
  /** Quantile bins per numeric column (default 10; 0 turns bins off). */
  bins?: number;
}

/** The value at quantile q of sorted numbers (nearest rank). */
function quantile(sorted: readonly number[], q: number): number {
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[at] as number;
}

/**
 * Bin edges at the quantiles of the training values; for a column that is
 * mostly zero (capital gain and loss), also at the quantiles of its non-zero
 * values, so those get bins of their own.
 */
function binEdgesOf(values: readonly number[], bins: number): number[] {
  if (bins < 2 || values.length === 0) return [];
  const sorted = values.slice().sort((a, b) => a - b);
  const edges = new Set<number>();
  for (let k = 1; k < bins; k++) edges.add(quantile(sorted, k / bins));
  const nonZero = sorted.filter((v) => v !== 0);
  if (nonZero.length < sorted.length / 2 && nonZero.length >= bins) {
    edges.add(0);
    for (let k = 1; k < bins; k++) edges.add(quantile(nonZero, k / bins));
  }
  const max = sorted[sorted.length - 1] as number;
  return [...edges].filter((e) => e < max).sort((a, b) => a - b);
}

/** Index of the bin holding `value`: how many edges lie below it. */
function binOf(edges: readonly number[], value: number): number {
  let k = 0;
  while (k < edges.length && value > (edges[k] as number)) k++;
  return k;
}

type NumericInput = Partial<Record<NumericColumn, number | null>>;
type CategoricalInput = Partial<Record<CategoricalColumn, string | null>>;
/** What {@link transform} accepts: any of the feature columns; an absent or null one is missing. */
export type EncodableRow = NumericInput & CategoricalInput;

function transformValue(kind: 'identity' | 'log1p', value: number): number {
  return kind === 'log1p' ? Math.log1p(Math.max(0, value)) : value;
}

/** Fits the encoding on training rows. */
export function fitEncoding(rows: readonly FeatureRow[], options: EncodingOptions = {}): Encoding {
  if (rows.length === 0) throw new RangeError('cannot fit an encoding on zero rows');
  const minCount = options.minCount ?? 20;
  const bins = options.bins ?? 10;
  const numeric = FEATURE_NUMERIC.map((name) => {
    const kind = LOG_COLUMNS.has(name) ? ('log1p' as const) : ('identity' as const);
    const values = rows.map((r) => r[name]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const xs = values.map((v) => transformValue(kind, v));
    const mean = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
    const variance = xs.length ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length : 0;
    const std = Math.sqrt(variance);
    return { name, transform: kind, mean, std: std > 1e-12 ? std : 1, binEdges: binEdgesOf(values, bins) };
  });
  const categorical = CATEGORICAL_COLUMNS.map((name) => {
    const counts = new Map<string, number>();
    for (const row of rows) {
      const value = row[name];
      if (value != null) counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    const categories = [...counts.entries()]
      .filter(([, n]) => n >= minCount)
      .map(([value]) => value)
      .sort();
    return { name, categories };
  });
  const featureNames = [
    ...numeric.map((n) => n.name),
    ...numeric.flatMap((n) => (n.binEdges.length ? [...n.binEdges.map((e) => `${n.name}<=${e}`), `${n.name}>${n.binEdges.at(-1)}`] : [])),
    ...categorical.flatMap((c) => [...c.categories.map((v) => `${c.name}=${v}`), `${c.name}=${OTHER}`, `${c.name}=${MISSING}`]),
  ];
  return { version: 1, numeric, categorical, featureNames };
}

/** The encoded row, `featureNames.length` numbers. */
export function encodeRow(
  encoding: Encoding,
  row: EncodableRow,
  out: Float32Array = new Float32Array(encoding.featureNames.length),
  offset = 0,
): Float32Array {
  let k = offset;
  for (const spec of encoding.numeric) {
    const raw = row[spec.name];
    const value = typeof raw === 'number' && Number.isFinite(raw) ? transformValue(spec.transform, raw) : spec.mean;
    out[k++] = (value - spec.mean) / spec.std;
  }
  for (const spec of encoding.numeric) {
    if (spec.binEdges.length === 0) continue;
    const raw = row[spec.name];
    for (let j = 0; j <= spec.binEdges.length; j++) out[k + j] = 0;
    // A missing number sets no bin column: all zeros says "unknown" without guessing a bin.
    if (typeof raw === 'number' && Number.isFinite(raw)) out[k + binOf(spec.binEdges, raw)] = 1;
    k += spec.binEdges.length + 1;
  }
  for (const spec of encoding.categorical) {
    const raw = row[spec.name];
    const value = typeof raw === 'string' ? raw.trim() : null;
    const at = value === null || value === '' || value === '?' ? -2 : spec.categories.indexOf(value);
    for (let j = 0; j < spec.categories.length + 2; j++) out[k + j] = 0;
    if (at >= 0) out[k + at] = 1;
    else if (at === -1) out[k + spec.categories.length] = 1;
    else out[k + spec.categories.length + 1] = 1;
    k += spec.categories.length + 2;
  }
  return out;
}

/** Encodes many rows into one row-major matrix. */
export function transform(encoding: Encoding, rows: readonly EncodableRow[]): { values: Float32Array; rows: number; columns: number } {
  const columns = encoding.featureNames.length;
  const values = new Float32Array(rows.length * columns);
  rows.forEach((row, i) => encodeRow(encoding, row, values, i * columns));
  return { values, rows: rows.length, columns };
}
