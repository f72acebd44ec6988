import { defineCheck, fail, pass, promtoolCheckRules } from '@mlops-lab/grader/authoring';
import { ALERTS, ALERTS_FILE, alertRules, yamlOrFail, type AlertRule } from '../../_shared/rules.ts';

/** What is wrong with the alerts of the rule file (empty when nothing). */
export function judgeAlertRules(rules: AlertRule[]): string[] {
  const problems: string[] = [];
  for (const name of Object.values(ALERTS)) {
    const rule = rules.find((r) => r.alert === name);
    if (!rule) {
      problems.push(`no alert named ${name}`);
      continue;
    }
    if (rule.forSeconds === 0) problems.push(`${name} has no \`for:\`, so a single bad scrape pages someone`);
    if (!rule.labels.severity) problems.push(`${name} has no severity label, so Alertmanager cannot route it`);
  }
  const latency = rules.find((r) => r.alert === ALERTS.latency);
  if (latency && !/histogram_quantile\s*\(\s*0?\.95\b[\s\S]*loan_prediction_latency_seconds_bucket/.test(latency.expr)) {
    problems.push(`${ALERTS.latency} does not compute the p95 with histogram_quantile(0.95, … loan_prediction_latency_seconds_bucket …)`);
  }
  const drift = rules.find((r) => r.alert === ALERTS.drift);
  if (drift && !drift.expr.includes('loan_feature_drift_score')) problems.push(`${ALERTS.drift} does not read loan_feature_drift_score`);
  return problems;
}

// Mirrors: promtool check rules alerts.yml
export default defineCheck({
  id: 'alert-rules-are-valid',
  title: 'alerts.yml is valid and defines the latency, error-rate and drift alerts',
  requires: ['promtool'],
  hint: 'Run `promtool check rules alerts.yml`; each alert needs an expr, a `for:` and a severity label.',
  async run(ctx) {
    const read = await yamlOrFail(ctx, ALERTS_FILE, `promtool check rules ${ALERTS_FILE}`);
    if ('outcome' in read) return read.outcome;
    const checked = await promtoolCheckRules(ctx.process, [ALERTS_FILE], { cwd: ctx.workspace.dir, signal: ctx.signal });
    if (!checked.ok) {
      return fail({
        message: `promtool rejects ${ALERTS_FILE}: Prometheus would not load these rules.`,
        expected: `\`promtool check rules ${ALERTS_FILE}\` says SUCCESS`,
        actual: checked.problems.join('\n') || checked.output.slice(-800),
        hint: `Run \`promtool check rules ${ALERTS_FILE}\`; a PromQL parse error names the rule and the column.`,
      });
    }
    const rules = alertRules(read.data);
    const problems = judgeAlertRules(rules);
    if (problems.length > 0) {
      return fail({
        message: `${ALERTS_FILE} parses, but: ${problems.join('; ')}.`,
        expected: `${Object.values(ALERTS).join(', ')}, each with expr, for: and labels.severity`,
        actual: rules.map((r) => `${r.alert} (for: ${r.forText})`).join(', ') || 'no alerting rules',
        hint: `Add the missing alerts under \`groups[0].rules\` (the instructions give each expression), then \`promtool check rules ${ALERTS_FILE}\`.`,
      });
    }
    return pass(`${ALERTS_FILE} defines ${rules.map((r) => `${r.alert} (for: ${r.forText})`).join(', ')}.`);
  },
});
