/**
 * The project's monitoring folder as M6 reads and runs it: the four files,
 * which alert rules are about drift, how long an alert can take to reach
 * the webhook with the project's intervals, and a real Alertmanager (with
 * the grader's webhook receiver) and Prometheus started on those files.
 *
 * Prometheus and promtool resolve `rule_files` relative to prometheus.yml,
 * so the grader runs both daemons with `monitoring/` as their folder: the
 * rule files then resolve exactly as `promtool check config
 * monitoring/prometheus.yml` resolved them. Their pids are recorded under
 * that folder: the lab's cleanup calls {@link stopMonitoringDaemons} for a killed run.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  EvidenceError,
  fail,
  startAlertmanager,
  startPrometheus,
  stopWorkspaceDaemons,
  type CheckContext,
  type CheckOutcome,
  type RunningAlertmanager,
  type RunningPrometheus,
} from '@mlops-lab/grader/authoring';
import {
  alertRules,
  asArray,
  formatSeconds,
  parseDuration,
  readPrometheusConfig,
  type AlertRule,
} from '../../../monitoring/_shared/rules.ts';

export const MONITORING_DIR = 'monitoring';
export const MONITORING_FILES = {
  prometheus: `${MONITORING_DIR}/prometheus.yml`,
  rules: `${MONITORING_DIR}/alert-rules.yml`,
  ruleTests: `${MONITORING_DIR}/alert-rules.test.yml`,
  alertmanager: `${MONITORING_DIR}/alertmanager.yml`,
} as const;

/** From the first shifted request to the drift alert at the webhook, at most this long. */
export const ALERT_BOUND_SECONDS = 90;
/**
 * The most scrape + 2 × evaluation + `for:` + group_wait may add up to: the rest of the bound is for the service
 * (its window must hold enough shifted rows, and it computes drift every few seconds).
 */
export const TIMING_BUDGET_SECONDS = 60;
/** Alertmanager's default group_wait. */
const DEFAULT_GROUP_WAIT = 30;

/** Alerting rules about drift: the alert's name or its expression mentions drift. */
export function driftRules(rules: readonly AlertRule[]): AlertRule[] {
  return rules.filter((r) => /drift/i.test(r.alert) || /drift/i.test(r.expr));
}

export interface AlertTimings {
  scrapeSeconds: number;
  evaluationSeconds: number;
  /** The drift rule with the shortest `for:` (undefined when there is no drift rule). */
  rule?: AlertRule;
  /** The longest group_wait of the route tree (a drift alert may take any route). */
  groupWaitSeconds: number;
  /** scrape + 2 × evaluation + for + group_wait. */
  worstCaseSeconds: number;
  /** "scrape_interval 5s, evaluation_interval 5s, for: 15s (FeatureDriftDetected), group_wait 5s" */
  text: string;
}

/** How long a drift alert can take from the gauge changing to the webhook, with the project's settings. */
export function alertTimings(
  prometheus: Record<string, unknown>,
  rules: Record<string, unknown>,
  alertmanager: Record<string, unknown>,
): AlertTimings {
  const config = readPrometheusConfig(prometheus);
  const job = config.jobs.find((j) => j.name !== 'prometheus' && j.targets.length > 0);
  const scrape = job?.intervalSeconds ?? config.scrapeIntervalSeconds;
  const rule = [...driftRules(alertRules(rules))].sort((a, b) => a.forSeconds - b.forSeconds)[0];
  const waits: number[] = [];
  const visit = (route: unknown, inherited: number, depth: number): void => {
    if (!route || typeof route !== 'object' || depth > 20) return;
    const r = route as { group_wait?: unknown; routes?: unknown };
    const own = parseDuration(r.group_wait) ?? inherited;
    waits.push(own);
    for (const child of asArray(r.routes)) visit(child, own, depth + 1);
  };
  visit(alertmanager.route, DEFAULT_GROUP_WAIT, 0);
  const groupWait = waits.length > 0 ? Math.max(...waits) : DEFAULT_GROUP_WAIT;
  const forSeconds = rule?.forSeconds ?? 0;
  return {
    scrapeSeconds: scrape,
    evaluationSeconds: config.evaluationIntervalSeconds,
    rule,
    groupWaitSeconds: groupWait,
    worstCaseSeconds: scrape + 2 * config.evaluationIntervalSeconds + forSeconds + groupWait,
    text: [
      `scrape_interval ${formatSeconds(scrape)}`,
      `evaluation_interval ${formatSeconds(config.evaluationIntervalSeconds)}`,
      rule ? `for: ${rule.forText} (${rule.alert})` : 'no drift alert',
      `group_wait ${formatSeconds(groupWait)}`,
    ].join(', '),
  };
}

export interface MonitoringStack {
  am: RunningAlertmanager;
  prom: RunningPrometheus;
  /** What the grader changed in the project's configs, one sentence each. */
  rewrites: string[];
  /** The folder the daemons ran in (their pid records are under it). */
  dir: string;
}

/** The monitoring folder, when it is a real folder of the workspace (not a symlink to somewhere else). */
export async function monitoringDir(workspaceDir: string): Promise<string | undefined> {
  const dir = join(workspaceDir, MONITORING_DIR);
  const info = await lstat(dir).catch(() => undefined);
  return info?.isDirectory() ? dir : undefined;
}

/**
 * Stops the Prometheus and Alertmanager M6 started for this workspace and a killed grader left running (their pid
 * records live under monitoring/); for the lab's cleanup hook. Returns how many were stopped.
 */
export function stopMonitoringDaemons(workspaceDir: string): Promise<number> {
  return stopWorkspaceDaemons(join(workspaceDir, MONITORING_DIR));
}

/**
 * Alertmanager (webhooks delivered to the grader's receiver) and Prometheus (scraping the service on `servicePort`,
 * alerting to that Alertmanager) on the project's files, stopped when the run ends; a failing outcome when either
 * refuses the project's file.
 */
export async function startMonitoringStack(ctx: CheckContext, servicePort: number): Promise<MonitoringStack | { outcome: CheckOutcome }> {
  const dir = await monitoringDir(ctx.workspace.dir);
  if (!dir) {
    return {
      outcome: fail({
        message: `${MONITORING_DIR}/ is not a folder of the workspace.`,
        expected: `${MONITORING_FILES.prometheus}, ${MONITORING_FILES.rules} and ${MONITORING_FILES.alertmanager} in a ${MONITORING_DIR}/ folder`,
        actual: `no ${MONITORING_DIR}/ folder (or a symlink)`,
        hint: `Create ${MONITORING_DIR}/ at the workspace root with the three files, as CONTRACT.md lists them.`,
      }),
    };
  }
  let am: RunningAlertmanager;
  try {
    am = await startAlertmanager({ workspaceDir: dir, configFile: 'alertmanager.yml', process: ctx.process, signal: ctx.signal });
  } catch (error) {
    if (!(error instanceof EvidenceError) || error.code !== 'ALERTMANAGER_CONFIG_INVALID') throw error;
    return {
      outcome: fail({
        message: `Alertmanager does not start with your ${MONITORING_FILES.alertmanager}.`,
        expected: 'Alertmanager loads the file and answers /-/ready',
        actual: error.message,
        hint: `Run \`amtool check-config ${MONITORING_FILES.alertmanager}\` and fix what it reports.`,
      }),
    };
  }
  ctx.onRunEnd(() => am.stop());
  let prom: RunningPrometheus;
  try {
    prom = await startPrometheus({
      workspaceDir: dir,
      configFile: 'prometheus.yml',
      process: ctx.process,
      targetPort: servicePort,
      alertmanager: am.address,
      signal: ctx.signal,
    });
  } catch (error) {
    if (!(error instanceof EvidenceError) || error.code !== 'PROMETHEUS_CONFIG_INVALID') throw error;
    return {
      outcome: fail({
        message: `Prometheus does not start with your ${MONITORING_FILES.prometheus}.`,
        expected: 'Prometheus loads the config and the rule files it lists (relative to the config)',
        actual: error.message,
        hint: `Run \`promtool check config ${MONITORING_FILES.prometheus}\` and fix what it reports.`,
      }),
    };
  }
  ctx.onRunEnd(() => prom.stop());
  return { am, prom, rewrites: [...prom.notes, ...am.notes], dir };
}
