import { defineCheck, fail, pass, promtoolTestRules } from '@mlops-lab/grader/authoring';
import { ALERTS, ALERTS_FILE, asArray, yamlOrFail } from '../../_shared/rules.ts';

export const TESTS_FILE = 'alerts.test.yml';

/** The alerts that some test expects to fire (a non-empty exp_alerts), and the rule files the tests load. */
export function testedAlerts(data: Record<string, unknown>): { firing: Set<string>; ruleFiles: string[] } {
  const firing = new Set<string>();
  for (const test of asArray(data.tests)) {
    for (const expectation of asArray((test as { alert_rule_test?: unknown }).alert_rule_test)) {
      const e = expectation as { alertname?: unknown; exp_alerts?: unknown };
      if (typeof e.alertname === 'string' && asArray(e.exp_alerts).length > 0) firing.add(e.alertname);
    }
  }
  return { firing, ruleFiles: asArray(data.rule_files).map(String) };
}

// Mirrors: promtool test rules alerts.test.yml
export default defineCheck({
  id: 'rule-unit-tests-pass',
  title: 'Your promtool tests load alerts.yml, pass, and show each alert firing',
  needs: ['alert-rules-are-valid'],
  requires: ['promtool'],
  hint: 'Run `promtool test rules alerts.test.yml`; add a test group per alert with input_series and an exp_alerts entry.',
  async run(ctx) {
    const read = await yamlOrFail(ctx, TESTS_FILE, `promtool test rules ${TESTS_FILE}`);
    if ('outcome' in read) return read.outcome;
    const { firing, ruleFiles } = testedAlerts(read.data);
    if (!ruleFiles.includes(ALERTS_FILE)) {
      return fail({
        message: `${TESTS_FILE} does not load ${ALERTS_FILE}, so it tests some other rules than the ones Prometheus runs.`,
        expected: `rule_files: [${ALERTS_FILE}]`,
        actual: `rule_files: [${ruleFiles.join(', ')}]`,
        hint: `Set \`rule_files: [${ALERTS_FILE}]\` at the top of ${TESTS_FILE}.`,
      });
    }
    const report = await promtoolTestRules(ctx.process, [TESTS_FILE], { cwd: ctx.workspace.dir, signal: ctx.signal, timeoutMs: 60_000 });
    if (!report.ok) {
      return fail({
        message: `promtool test rules ${TESTS_FILE} fails: ${report.problems.length} expectation(s) broken.`,
        expected: 'every test group SUCCESS',
        actual: report.problems.slice(0, 5).join('\n'),
        hint: `Run \`promtool test rules ${TESTS_FILE}\`. "got" is what your rules did: fix the rule if it is wrong, the test if your expectation (labels, annotations, eval_time after for:) is.`,
      });
    }
    const untested = Object.values(ALERTS).filter((a) => !firing.has(a));
    if (untested.length > 0) {
      return fail({
        message: `${TESTS_FILE} passes, but no test shows ${untested.join(' or ')} firing: a rule nobody has seen fire may never fire.`,
        expected: `for each of ${Object.values(ALERTS).join(', ')}, an alert_rule_test with a non-empty exp_alerts`,
        actual: `tests expect firing: ${[...firing].join(', ') || 'none'}`,
        hint: `Copy the error-rate test group in ${TESTS_FILE}, change the input_series and the alertname, then \`promtool test rules ${TESTS_FILE}\`.`,
      });
    }
    return pass(`promtool test rules ${TESTS_FILE}: SUCCESS, with each alert shown firing.`);
  },
});
