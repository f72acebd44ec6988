/**
 * The /predict request body, checked with zod before anything reaches the
 * model: `{ "rows": [ { "age": 39, "workclass": "State-gov", ... } ] }`.
 * Every feature the model uses is required (a typo such as `hours-per-week`
 * is an error, not a silently missing value); a category may be null when it
 * is unknown; `fnlwgt` may be sent and is ignored (the model leaves it out).
 * Errors name each field, `rows[3].age`, so a caller can fix the exact value.
 */
import { z } from 'zod';
import type { CategoricalColumn, FeatureRow, NumericColumn } from './data.ts';

/** Rows accepted in one request (more: 422 asking to split the request). */
export const DEFAULT_MAX_ROWS = 1000;
/** Field errors listed in one answer. */
const MAX_LISTED_ERRORS = 20;

const whole = (min: number, max: number) =>
  z
    .number({ message: 'expected a number' })
    .int({ message: 'expected a whole number' })
    .min(min, { message: `expected at least ${min}` })
    .max(max, { message: `expected at most ${max}` });

const category = z.string({ message: 'expected a string or null' }).max(100, { message: 'longer than 100 characters' }).nullable();

/** Ranges as in the training data's schema (data.ts), so serving accepts what training accepted. */
const numericFields = {
  age: whole(0, 120),
  education_num: whole(0, 30),
  capital_gain: whole(0, 10_000_000),
  capital_loss: whole(0, 10_000_000),
  hours_per_week: whole(0, 168),
} satisfies Partial<Record<NumericColumn, z.ZodType>>;

const categoricalFields = {
  workclass: category,
  education: category,
  marital_status: category,
  occupation: category,
  relationship: category,
  race: category,
  sex: category,
  native_country: category,
} satisfies Record<CategoricalColumn, z.ZodType>;

export const predictRowSchema = z.strictObject({ ...numericFields, ...categoricalFields, fnlwgt: whole(0, 100_000_000).optional() });

export type PredictRow = z.output<typeof predictRowSchema>;

/** The features a request must carry, in a stable order (the monitor watches these). */
export const REQUEST_FEATURES = [...Object.keys(numericFields), ...Object.keys(categoricalFields)] as (keyof PredictRow)[];

export function predictRequestSchema(maxRows: number = DEFAULT_MAX_ROWS) {
  return z.strictObject({
    rows: z
      .array(predictRowSchema, { message: 'expected "rows": an array of objects' })
      .min(1, { message: 'expected at least one row' })
      .max(maxRows, { message: `at most ${maxRows} rows per request; split the rows over several requests` }),
  });
}

export interface FieldError {
  /** Where, as a caller writes it: `rows[3].age`, `rows`, `(body)`. */
  field: string;
  message: string;
}

export type Validated = { ok: true; rows: PredictRow[] } | { ok: false; errors: FieldError[]; more: number };

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || '(body)';
}

/** Validates a parsed JSON body; errors list the field path of each problem (at most 20, `more` counts the rest). */
export function validatePredictRequest(body: unknown, schema = predictRequestSchema()): Validated {
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, rows: result.data.rows };
  const errors: FieldError[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        errors.push({
          field: fieldPath([...issue.path, key]),
          message: 'unknown field (check the spelling: fields use snake_case, e.g. hours_per_week)',
        });
    } else {
      errors.push({ field: fieldPath(issue.path), message: issue.message });
    }
  }
  return { ok: false, errors: errors.slice(0, MAX_LISTED_ERRORS), more: Math.max(0, errors.length - MAX_LISTED_ERRORS) };
}

/** The row as the encoding reads it. */
export function toFeatureRow(row: PredictRow): Omit<FeatureRow, 'fnlwgt'> {
  const { fnlwgt: _ignored, ...features } = row;
  return features;
}
