import { fail, pass, type CheckContext, type CheckOutcome } from '@mlops-lab/grader/authoring';
import { ALERTS_FILE, alertRules, yamlOrFail } from '../_shared/rules.ts';
import { runHiddenTests } from './hidden-tests.ts';

/** The outcome of the grader's hidden cases for one alert. */
export async function hiddenCheckOutcome(ctx: CheckContext, alert: string): Promise<CheckOutcome> {
  const { report, verdicts } = await runHiddenTests(ctx);
  const unattributed = report.failures.filter((f) => !f.group);
  if (!report.ok && unattributed.length > 0) {
    return fail({
      message: `promtool could not run the grader's tests against ${ALERTS_FILE}.`,
      expected: `the rules of ${ALERTS_FILE} load and evaluate`,
      actual: report.problems.slice(0, 3).join('\n'),
      hint: `Run \`promtool check rules ${ALERTS_FILE}\` and \`promtool test rules alerts.test.yml\`.`,
    });
  }
  const mine = verdicts.filter((v) => v.case.alert === alert);
  const wrong = mine.filter((v) => !v.ok);
  const rules = await yamlOrFail(ctx, ALERTS_FILE, `promtool check rules ${ALERTS_FILE}`);
  const rule = 'data' in rules ? alertRules(rules.data).find((r) => r.alert === alert) : undefined;
  const ruleText = rule ? `expr: ${rule.expr.trim().replace(/\s+/g, ' ')}; for: ${rule.forText}` : '';
  if (wrong.length > 0) {
    const sentences = wrong.map((v) =>
      v.case.expect === 'fires'
        ? `it did not fire after ${Math.max(...v.case.evalMinutes)} minutes of ${v.case.story}`
        : `it fired on healthy traffic (${v.case.story}): ${v.observed}`,
    );
    const quietFailed = wrong.some((v) => v.case.expect === 'quiet');
    return fail({
      message: `${alert} misjudges the grader's series: ${sentences.join('; and ')}.`,
      expected: mine.map((v) => `${v.case.expect === 'fires' ? 'fires' : 'quiet'} on ${v.case.story}`).join('; '),
      actual: ruleText || 'rule not found',
      hint: quietFailed
        ? 'Check the threshold, the quantile and the `for:` (long enough that one bad scrape does not page), then add this situation to alerts.test.yml and run `promtool test rules alerts.test.yml`.'
        : 'Check the expression fires on this situation and that `for:` is minutes, not hours; reproduce it in alerts.test.yml and run `promtool test rules alerts.test.yml`.',
    });
  }
  return pass(
    `${alert} fires on ${mine
      .filter((v) => v.case.expect === 'fires')
      .map((v) => v.case.story)
      .join(', ')}; quiet on ${mine
      .filter((v) => v.case.expect === 'quiet')
      .map((v) => v.case.story)
      .join(', ')}.`,
    {
      actual: ruleText,
    },
  );
}
