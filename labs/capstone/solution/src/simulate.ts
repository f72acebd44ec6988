/**
 * The drift simulator: sends rows of the test split (data the model never
 * trained on, so clean traffic really is "like training") to a running
 * server, optionally shifted, so a learner can watch the drift gauges and
 * the alert move.
 *
 *   --shift age=+15,hours_per_week=*0.6,sex=Female
 *
 * adds 15 years to every age, scales the hours to 60 %, and makes every row
 * "Female". Numbers are rounded to whole numbers and kept inside the ranges
 * the server accepts. Rows are picked with a seed, so the same command sends
 * the same traffic.
 */
import { basicAuthHeader, type Credentials } from './auth.ts';
import { CATEGORICAL_COLUMNS, loadDataset, type CategoricalColumn, type FeatureRow } from './data.ts';
import { seededRandom, shuffled } from './random.ts';
import { DEFAULT_SEED, splitFor } from './train.ts';
import { REQUEST_FEATURES, type PredictRow } from './validate.ts';

/** Numeric features a shift may change, with the range /predict accepts. */
export const SHIFTABLE_NUMERIC = {
  age: [0, 120],
  education_num: [0, 30],
  capital_gain: [0, 10_000_000],
  capital_loss: [0, 10_000_000],
  hours_per_week: [0, 168],
} as const;
type ShiftableNumeric = keyof typeof SHIFTABLE_NUMERIC;

export type Shift =
  { feature: ShiftableNumeric; op: '+' | '*'; value: number } | { feature: CategoricalColumn; op: 'set'; value: string | null };

/** Why a --shift cannot be used; the message names the part. */
export class ShiftError extends Error {}

/** Parses `age=+15,hours_per_week=*0.6,sex=Female` (`-N` subtracts; `feature=` sets a category to missing). */
export function parseShift(spec: string): Shift[] {
  const shifts: Shift[] = [];
  const seen = new Set<string>();
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ShiftError(`"${part}": expected feature=CHANGE, e.g. age=+15, hours_per_week=*0.6 or sex=Female`);
    const feature = part.slice(0, eq).trim();
    const change = part.slice(eq + 1).trim();
    if (seen.has(feature)) throw new ShiftError(`"${feature}" is shifted twice; give each feature once`);
    seen.add(feature);
    if (feature in SHIFTABLE_NUMERIC) {
      const match = /^([+*-])\s*(\d+(?:\.\d+)?)$/.exec(change);
      if (!match) throw new ShiftError(`"${part}": a number feature takes +N, -N or *N (e.g. ${feature}=+10 or ${feature}=*0.8)`);
      const n = Number(match[2]);
      shifts.push({ feature: feature as ShiftableNumeric, op: match[1] === '*' ? '*' : '+', value: match[1] === '-' ? -n : n });
    } else if ((CATEGORICAL_COLUMNS as readonly string[]).includes(feature)) {
      if (change.length > 100) throw new ShiftError(`"${feature}": a category is at most 100 characters`);
      shifts.push({ feature: feature as CategoricalColumn, op: 'set', value: change === '' ? null : change });
    } else {
      throw new ShiftError(
        `"${feature}" is not a feature; shift one of ${[...Object.keys(SHIFTABLE_NUMERIC), ...CATEGORICAL_COLUMNS].join(', ')}`,
      );
    }
  }
  return shifts;
}

/** The request row for a data row, shifted (a new object; the input is not changed). */
export function applyShift(row: FeatureRow, shifts: readonly Shift[]): PredictRow {
  const out = Object.fromEntries(REQUEST_FEATURES.map((f) => [f, row[f as keyof FeatureRow]])) as PredictRow;
  for (const shift of shifts) {
    if (shift.op === 'set') {
      out[shift.feature] = shift.value;
      continue;
    }
    const [min, max] = SHIFTABLE_NUMERIC[shift.feature];
    const current = out[shift.feature];
    const next = shift.op === '+' ? current + shift.value : current * shift.value;
    out[shift.feature] = Math.min(max, Math.max(min, Math.round(next)));
  }
  return out;
}

/** `count` test-split rows in a seeded order (cycling when more are asked than the split has). */
export function pickRows(rows: readonly FeatureRow[], testIndices: readonly number[], count: number, seed: number): FeatureRow[] {
  const order = shuffled(testIndices, seededRandom(seed ^ 0x51a1));
  return Array.from({ length: count }, (_, i) => rows[order[i % order.length] as number] as FeatureRow);
}

export interface SimulateOptions {
  url: string;
  credentials: Credentials;
  shifts: Shift[];
  rows: number;
  /** Rows per second. */
  rate: number;
  /** Rows per request. */
  batch: number;
  seed?: number;
  dataPath?: string;
  requestTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface SimulateSummary {
  url: string;
  shift: string;
  sentRows: number;
  requests: number;
  okRequests: number;
  failedRequests: number;
  predicted: { '>50K': number; '<=50K': number };
  seconds: number;
  stoppedBecause?: string;
}

/** What a failed request means for the next one: stop at once, or keep going. */
function fatal(status: number): string | undefined {
  if (status === 401)
    return 'the server refused the credentials (401): export the SERVING_USERNAME and SERVING_PASSWORD the server was started with';
  if (status === 404) return "the URL has no /predict (404): give the server's base URL, e.g. --url http://127.0.0.1:8080";
  return undefined;
}

/** Sends the rows at the given rate; stops early, with the reason, on a refused login or an unreachable server. */
export async function simulate(options: SimulateOptions): Promise<SimulateSummary> {
  const seed = options.seed ?? DEFAULT_SEED;
  const dataset = await loadDataset(options.dataPath);
  const picked = pickRows(dataset.rows, splitFor(dataset, seed).test, options.rows, seed).map((r) => applyShift(r, options.shifts));
  const endpoint = new URL('predict', options.url.endsWith('/') ? options.url : `${options.url}/`).href;
  const headers = { authorization: basicAuthHeader(options.credentials), 'content-type': 'application/json' };
  const started = performance.now();
  const summary: SimulateSummary = {
    url: endpoint,
    shift:
      options.shifts
        .map(
          (s) =>
            `${s.feature}${s.op === 'set' ? `=${s.value ?? ''}` : s.op === '*' ? `=*${s.value}` : `=${s.value >= 0 ? '+' : ''}${s.value}`}`,
        )
        .join(',') || '(none: clean traffic)',
    sentRows: 0,
    requests: 0,
    okRequests: 0,
    failedRequests: 0,
    predicted: { '>50K': 0, '<=50K': 0 },
    seconds: 0,
  };
  let consecutiveFailures = 0;
  for (let at = 0; at < picked.length; at += options.batch) {
    const rows = picked.slice(at, at + options.batch);
    const dueAt = started + (at / options.rate) * 1000;
    const wait = dueAt - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    summary.requests += 1;
    summary.sentRows += rows.length;
    try {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({ rows }),
        redirect: 'manual',
        signal: AbortSignal.timeout(options.requestTimeoutMs ?? 10_000),
      });
      const text = (await res.text()).slice(0, 100_000);
      if (res.status !== 200) {
        summary.failedRequests += 1;
        consecutiveFailures += 1;
        const reason = fatal(res.status);
        options.log?.(`request ${summary.requests}: status ${res.status}: ${text.slice(0, 300)}\n`);
        if (reason) {
          summary.stoppedBecause = reason;
          break;
        }
      } else {
        const body = JSON.parse(text) as { predictions?: { label?: string }[] };
        for (const p of body.predictions ?? []) if (p.label === '>50K' || p.label === '<=50K') summary.predicted[p.label] += 1;
        summary.okRequests += 1;
        consecutiveFailures = 0;
      }
    } catch (error) {
      summary.failedRequests += 1;
      consecutiveFailures += 1;
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      if (cause === 'ECONNREFUSED') {
        summary.stoppedBecause = `nothing answers at ${endpoint} (connection refused): start the server with \`node labs/capstone/solution/src/cli.ts serve --model DIR\``;
        break;
      }
      options.log?.(`request ${summary.requests}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    if (consecutiveFailures >= 10) {
      summary.stoppedBecause = '10 requests in a row failed (see the lines above)';
      break;
    }
    if (summary.requests % 20 === 0)
      options.log?.(`sent ${summary.sentRows}/${picked.length} rows, ${summary.failedRequests} failed request(s)\n`);
  }
  summary.seconds = Math.round((performance.now() - started) / 100) / 10;
  return summary;
}
