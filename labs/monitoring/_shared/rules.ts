/**
 * The monitoring labs' Prometheus files as the grader reads them:
 * prometheus.yml (scrape jobs, intervals, rule files) and alert rule files
 * (each alert's expression, `for:` and labels), with Prometheus durations.
 */
import { EvidenceError, fail, readWorkspaceYaml, type CheckContext, type CheckOutcome } from '@mlops-lab/grader/authoring';

export const PROMETHEUS_FILE = 'prometheus.yml';
export const ALERTS_FILE = 'alerts.yml';
export const ALERTMANAGER_FILE = 'alertmanager.yml';

/** The alerts the labs ask for, by what they watch. */
export const ALERTS = {
  latency: 'HighPredictionLatency',
  errors: 'HighPredictionErrorRate',
  drift: 'FeatureDriftDetected',
} as const;

/** The drift score above which a feature counts as drifting (the KS statistic). */
export const DRIFT_THRESHOLD = 0.2;

export interface AlertRule {
  alert: string;
  expr: string;
  /** `for:` in seconds (0 when absent). */
  forSeconds: number;
  forText: string;
  labels: Record<string, string>;
  group: string;
}

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };

/** A Prometheus duration (`30s`, `1m30s`, `2h`) in seconds; undefined when it is not one. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text === 'number') return undefined;
  if (typeof text !== 'string' || !/^(\d+(ms|s|m|h|d|w|y))+$/.test(text.trim())) return undefined;
  let total = 0;
  for (const [, n, unit] of text.trim().matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(n) * UNITS[unit!]!;
  return total;
}

/** A YAML file of the workspace as a map, or a failing outcome that says what is wrong with it. */
export async function yamlOrFail(
  ctx: CheckContext,
  file: string,
  validate: string,
): Promise<{ data: Record<string, unknown> } | { outcome: CheckOutcome }> {
  try {
    return { data: await readWorkspaceYaml(ctx.workspace.dir, file, 'LAB_FILE_INVALID') };
  } catch (error) {
    if (!(error instanceof EvidenceError)) throw error;
    return {
      outcome: fail({
        message: error.message.startsWith(file) ? error.message : `${file}: ${error.message}`,
        expected: `${file} in the workspace, valid YAML`,
        actual: error.message.split('\n')[0]!,
        hint: `Fix ${file}, then run \`${validate}\`.`,
      }),
    };
  }
}

/** Every alerting rule of a rule file's `groups`. */
export function alertRules(data: Record<string, unknown>): AlertRule[] {
  const rules: AlertRule[] = [];
  for (const group of asArray(data.groups)) {
    const groupName = String((group as { name?: unknown }).name ?? '');
    for (const rule of asArray((group as { rules?: unknown }).rules)) {
      const r = rule as Record<string, unknown>;
      if (typeof r.alert !== 'string') continue;
      const labels = r.labels && typeof r.labels === 'object' ? (r.labels as Record<string, unknown>) : {};
      rules.push({
        alert: r.alert,
        expr: String(r.expr ?? ''),
        forSeconds: parseDuration(r.for) ?? 0,
        forText: typeof r.for === 'string' ? r.for : '(none)',
        labels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])),
        group: groupName,
      });
    }
  }
  return rules;
}

export interface ScrapeJob {
  name: string;
  targets: string[];
  intervalSeconds?: number;
  metricsPath: string;
}

/** What the grader needs of prometheus.yml: intervals, jobs with static targets, rule files. */
export function readPrometheusConfig(data: Record<string, unknown>): {
  scrapeIntervalSeconds: number;
  evaluationIntervalSeconds: number;
  jobs: ScrapeJob[];
  ruleFiles: string[];
} {
  const global = (data.global && typeof data.global === 'object' ? data.global : {}) as Record<string, unknown>;
  // Prometheus's defaults: scrape every 1m, evaluate every 1m.
  const scrape = parseDuration(global.scrape_interval) ?? 60;
  const evaluation = parseDuration(global.evaluation_interval) ?? 60;
  const jobs = asArray(data.scrape_configs).map((job) => {
    const j = job as Record<string, unknown>;
    return {
      name: String(j.job_name ?? ''),
      targets: asArray(j.static_configs).flatMap((s) => asArray((s as { targets?: unknown }).targets).map(String)),
      intervalSeconds: parseDuration(j.scrape_interval),
      metricsPath: typeof j.metrics_path === 'string' ? j.metrics_path : '/metrics',
    };
  });
  return { scrapeIntervalSeconds: scrape, evaluationIntervalSeconds: evaluation, jobs, ruleFiles: asArray(data.rule_files).map(String) };
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value.filter((v) => v !== null && v !== undefined) : [];
}

/** `5m` for 300, `15s` for 15. */
export function formatSeconds(seconds: number): string {
  return seconds >= 60 && seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}
