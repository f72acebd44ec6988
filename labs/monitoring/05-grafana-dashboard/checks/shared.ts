/**
 * What the checks of monitoring/05 share: the dashboard file read once per
 * grading run (size cap, JSON, a zod schema of the fields Grafana needs),
 * its panels flattened (collapsed rows hold their own panels), every query
 * parsed with Prometheus's grammar, and the metric names the loan service
 * of monitoring/01 exposes.
 */
import { EvidenceError, fail, parsePromql, type CheckContext, type CheckOutcome, type PromqlQuery } from '@mlops-lab/grader/authoring';
import { z } from 'zod';
import { METRICS } from '../../_shared/metrics.ts';

export const DASHBOARD = 'dashboards/loan-model.json';
export const MAX_BYTES = 1024 * 1024;
export const MAX_PANELS = 200;
export const CHECK_AGAIN = '`mlops-lab check monitoring/05`';
export const VALIDATE = `\`python -m json.tool ${DASHBOARD} > /dev/null\``;

/** Every metric name a query may use: the service's own families with their exposition suffixes, prometheus_client's defaults, and Prometheus's per-target series. */
export const SERVICE_METRICS: readonly string[] = [
  `${METRICS.latency}_bucket`,
  `${METRICS.latency}_sum`,
  `${METRICS.latency}_count`,
  `${METRICS.latency}_created`,
  METRICS.predictions,
  METRICS.predictions.replace(/_total$/, '_created'),
  METRICS.drift,
  METRICS.errors,
  METRICS.errors.replace(/_total$/, '_created'),
  'python_gc_objects_collected_total',
  'python_gc_objects_uncollectable_total',
  'python_gc_collections_total',
  'python_info',
  'process_virtual_memory_bytes',
  'process_resident_memory_bytes',
  'process_start_time_seconds',
  'process_cpu_seconds_total',
  'process_open_fds',
  'process_max_fds',
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
];

const DatasourceSchema = z.union([z.string(), z.null(), z.looseObject({ type: z.string().optional(), uid: z.string().optional() })]);

const TargetSchema = z.looseObject({
  /** The PromQL query (Prometheus targets); other data sources use other fields. */
  expr: z.string().optional(),
  refId: z.string().optional(),
  datasource: DatasourceSchema.optional(),
  legendFormat: z.string().optional(),
});

interface PanelShape {
  type: string;
  title?: string;
  datasource?: z.infer<typeof DatasourceSchema>;
  targets?: z.infer<typeof TargetSchema>[];
  panels?: PanelShape[];
  [key: string]: unknown;
}

const PanelSchema: z.ZodType<PanelShape> = z.lazy(() =>
  z.looseObject({
    type: z.string().min(1),
    title: z.string().optional(),
    datasource: DatasourceSchema.optional(),
    targets: z.array(TargetSchema).optional(),
    panels: z.array(PanelSchema).optional(),
  }),
);

const VariableSchema = z.looseObject({ name: z.string(), type: z.string(), query: z.unknown().optional() });

/** The fields of Grafana's dashboard JSON model the grader relies on (everything else is kept, unchecked). */
export const DashboardSchema = z.looseObject({
  title: z.string().min(1, 'a dashboard needs a title'),
  uid: z.string().optional(),
  schemaVersion: z.number().int().min(16, 'Grafana 5 and later write schemaVersion 16 or above'),
  panels: z.array(PanelSchema).min(1, 'a dashboard without panels shows nothing'),
  templating: z.looseObject({ list: z.array(VariableSchema) }).optional(),
  __inputs: z.array(z.looseObject({ name: z.string(), type: z.string(), pluginId: z.string().optional() })).optional(),
});
export type Dashboard = z.infer<typeof DashboardSchema>;

export interface Target {
  panel: PanelShape;
  /** "Latency (p95)" / query A — how messages name it. */
  where: string;
  expr: string;
  datasource: PanelShape['datasource'];
  query: PromqlQuery;
}

export interface LoadedDashboard {
  dashboard: Dashboard;
  panels: PanelShape[];
  targets: Target[];
}

/** Reads and validates the dashboard once per grading run. */
export function loadDashboard(ctx: CheckContext): Promise<LoadedDashboard | CheckOutcome> {
  return ctx.memo('monitoring-05-dashboard', async () => {
    let text: string;
    try {
      text = await ctx.files.readText(DASHBOARD, { maxBytes: MAX_BYTES });
    } catch (error) {
      if (!(error instanceof EvidenceError)) throw error;
      const missing = error.code === 'FILE_NOT_FOUND';
      return fail({
        message: missing ? `There is no ${DASHBOARD} in the workspace.` : error.message,
        expected: `${DASHBOARD}: the dashboard's JSON model, at most ${MAX_BYTES / 1024} KiB`,
        actual: missing ? 'no such file' : error.message,
        hint: missing
          ? `Save the dashboard as ${DASHBOARD} (in Grafana: Dashboard settings → JSON Model, or Export → Save to file), then ${CHECK_AGAIN}.`
          : `A dashboard is a few KiB of JSON; check you saved the right file: \`ls -lh ${DASHBOARD}\`.`,
      });
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const where = jsonErrorPosition(text, error as Error);
      return fail({
        message: `${DASHBOARD} is not valid JSON${where ? ` (${where})` : ''}.`,
        expected: 'the JSON model Grafana exports (one object: title, schemaVersion, panels, …)',
        actual: (error as Error).message,
        hint: `Find the spot with ${VALIDATE}; a trailing comma or a comment is the usual cause.`,
      });
    }
    const parsed = DashboardSchema.safeParse(value);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((i) => `${formatPath(i.path)}: ${i.message}`);
      return fail({
        message: `${DASHBOARD} is JSON, but not a Grafana dashboard Grafana can import: ${issues[0]}.`,
        expected: 'an object with title (text), schemaVersion (a number such as 39) and panels (a list, each with a type and targets)',
        actual: issues.join('\n'),
        hint: `Export the dashboard from Grafana (Share → Export → Save to file) rather than writing the model by hand, or fix the fields named above; then ${CHECK_AGAIN}.`,
      });
    }
    const panels = flatten(parsed.data.panels);
    if (panels.length > MAX_PANELS) {
      return fail({
        message: `${DASHBOARD} has ${panels.length} panels; the grader reads at most ${MAX_PANELS}.`,
        expected: `a focused dashboard (a service overview has 4 to 12 panels)`,
        actual: `${panels.length} panels`,
        hint: 'Keep one dashboard per question; split the rest into other dashboards.',
      });
    }
    const targets: Target[] = [];
    for (const panel of panels) {
      (panel.targets ?? []).forEach((target, i) => {
        if (typeof target.expr !== 'string') return;
        const where = `panel "${panel.title || panel.type}", query ${target.refId ?? String.fromCharCode(65 + i)}`;
        targets.push({
          panel,
          where,
          expr: target.expr,
          datasource: target.datasource ?? panel.datasource,
          query: parsePromql(target.expr),
        });
      });
    }
    return { dashboard: parsed.data, panels, targets };
  });
}

/** Panels, with those inside collapsed rows, rows themselves left out. */
export function flatten(panels: readonly PanelShape[]): PanelShape[] {
  const out: PanelShape[] = [];
  for (const panel of panels) {
    if (panel.type !== 'row') out.push(panel);
    if (panel.panels) out.push(...flatten(panel.panels));
  }
  return out;
}

function formatPath(path: readonly PropertyKey[]): string {
  return (
    path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '') ||
    '(top level)'
  );
}

function jsonErrorPosition(text: string, error: Error): string | undefined {
  const m = /position (\d+)/.exec(error.message);
  const offset = m ? Number(m[1]) : jsonErrorOffset(text);
  if (offset === undefined) return undefined;
  const before = text.slice(0, offset);
  return `line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')}`;
}

/**
 * Where JSON.parse gave up, for messages (V8 does not always say): a small
 * scanner over the grammar, iterative so deep nesting cannot overflow.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const scalar = (): boolean => {
    const ch = text[i];
    if (ch === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i++;
        else if (text.charCodeAt(i) < 0x20) return false;
        i++;
      }
      if (i >= text.length) return false;
      i++;
      return true;
    }
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) return false;
    i += m[0].length;
    return true;
  };
  const stack: ('{' | '[')[] = [];
  ws();
  // expecting: a value at the start and after ':' / ',' in arrays
  for (;;) {
    ws();
    if (text[i] === '{' || text[i] === '[') {
      const open = text[i] as '{' | '[';
      stack.push(open);
      i++;
      ws();
      if (text[i] === (open === '{' ? '}' : ']')) {
        i++;
        stack.pop();
      } else {
        if (open === '{') {
          if (text[i] !== '"' || !scalar()) return i;
          ws();
          if (text[i] !== ':') return i;
          i++;
        }
        continue;
      }
    } else if (!scalar()) return i;
    // after a value: ',' or a closer
    for (;;) {
      ws();
      const top = stack.at(-1);
      if (!top) return i < text.length ? i : undefined;
      if (text[i] === ',') {
        i++;
        ws();
        if (top === '{') {
          if (text[i] !== '"' || !scalar()) return i;
          ws();
          if (text[i] !== ':') return i;
          i++;
        }
        break;
      }
      if (text[i] === (top === '{' ? '}' : ']')) {
        i++;
        stack.pop();
        continue;
      }
      return i;
    }
  }
}

export function isOutcome(value: unknown): value is CheckOutcome {
  return (
    typeof value === 'object' &&
    value !== null &&
    'status' in value &&
    typeof (value as { status: unknown }).status === 'string' &&
    'message' in value
  );
}

/** The closest known name, for "did you mean". */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return bestDistance <= Math.max(3, Math.floor(name.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
