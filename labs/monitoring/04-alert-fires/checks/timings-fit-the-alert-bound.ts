import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import {
  ALERTMANAGER_FILE,
  ALERTS,
  ALERTS_FILE,
  PROMETHEUS_FILE,
  alertRules,
  formatSeconds,
  parseDuration,
  readPrometheusConfig,
  yamlOrFail,
} from '../../_shared/rules.ts';

/** The lab's compressed clock: the most each step may take so the alert arrives within the bound. */
export const LIMITS = { scrapeSeconds: 5, evaluationSeconds: 5, forSeconds: 15, groupWaitSeconds: 5 } as const;

/** The intervals that decide how fast the drift alert can arrive. */
export function timingsOf(prometheus: Record<string, unknown>, rules: Record<string, unknown>, alertmanager: Record<string, unknown>) {
  const config = readPrometheusConfig(prometheus);
  const job = config.jobs.find((j) => j.name !== 'prometheus' && j.targets.length > 0);
  const scrape = job?.intervalSeconds ?? config.scrapeIntervalSeconds;
  const rule = alertRules(rules).find((r) => r.alert === ALERTS.drift);
  const route = (alertmanager.route ?? {}) as Record<string, unknown>;
  // Alertmanager's default group_wait is 30s.
  const groupWait = parseDuration(route.group_wait) ?? 30;
  return {
    config,
    scrape,
    rule,
    groupWait,
    worstCase: scrape + config.evaluationIntervalSeconds * 2 + (rule?.forSeconds ?? 0) + groupWait,
  };
}

// Mirrors: grep -E 'interval|for:|group_wait' prometheus.yml alerts.yml alertmanager.yml
export default defineCheck({
  id: 'timings-fit-the-alert-bound',
  title: 'Scrape, evaluation, `for:` and group_wait are short enough for the alert to arrive within the bound',
  needs: ['prometheus-config-is-valid'],
  hint: 'scrape_interval and evaluation_interval 2s, `for: 10s` on FeatureDriftDetected, group_wait 2s in alertmanager.yml.',
  async run(ctx) {
    const prometheus = await yamlOrFail(ctx, PROMETHEUS_FILE, `promtool check config ${PROMETHEUS_FILE}`);
    if ('outcome' in prometheus) return prometheus.outcome;
    const rules = await yamlOrFail(ctx, ALERTS_FILE, `promtool check rules ${ALERTS_FILE}`);
    if ('outcome' in rules) return rules.outcome;
    const alertmanager = await yamlOrFail(ctx, ALERTMANAGER_FILE, `amtool check-config ${ALERTMANAGER_FILE}`);
    if ('outcome' in alertmanager) return alertmanager.outcome;

    const { config, scrape, rule, groupWait } = timingsOf(prometheus.data, rules.data, alertmanager.data);
    const found = [
      `scrape_interval ${formatSeconds(scrape)}`,
      `evaluation_interval ${formatSeconds(config.evaluationIntervalSeconds)}`,
      `for: ${rule?.forText ?? '(no FeatureDriftDetected rule)'}`,
      `group_wait ${formatSeconds(groupWait)}`,
    ].join(', ');
    const problems: string[] = [];
    if (!rule) problems.push(`${ALERTS_FILE} has no alert named ${ALERTS.drift}`);
    if (scrape > LIMITS.scrapeSeconds) problems.push(`scrape_interval ${formatSeconds(scrape)} > ${LIMITS.scrapeSeconds}s`);
    if (config.evaluationIntervalSeconds > LIMITS.evaluationSeconds) {
      problems.push(`evaluation_interval ${formatSeconds(config.evaluationIntervalSeconds)} > ${LIMITS.evaluationSeconds}s`);
    }
    if (rule && rule.forSeconds > LIMITS.forSeconds) problems.push(`for: ${rule.forText} > ${LIMITS.forSeconds}s`);
    if (rule && rule.forSeconds === 0) problems.push('no `for:` on the alert, so one noisy scrape would page');
    if (groupWait > LIMITS.groupWaitSeconds) problems.push(`group_wait ${formatSeconds(groupWait)} > ${LIMITS.groupWaitSeconds}s`);
    if (problems.length > 0) {
      return fail({
        message: `The alert cannot reach the webhook within the lab's bound: ${problems.join('; ')}. An alert takes up to scrape + evaluation + for + group_wait to arrive.`,
        expected: `scrape_interval and evaluation_interval ≤ ${LIMITS.scrapeSeconds}s, for: ≤ ${LIMITS.forSeconds}s (not 0), group_wait ≤ ${LIMITS.groupWaitSeconds}s`,
        actual: found,
        hint: `Set \`scrape_interval: 2s\` and \`evaluation_interval: 2s\` in ${PROMETHEUS_FILE}, \`for: 10s\` in ${ALERTS_FILE}, \`group_wait: 2s\` under route in ${ALERTMANAGER_FILE}; then \`promtool check config ${PROMETHEUS_FILE}\`.`,
      });
    }
    return pass(`Worst case to the webhook: about ${timingsOf(prometheus.data, rules.data, alertmanager.data).worstCase} s (${found}).`);
  },
});
