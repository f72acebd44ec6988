import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { LOAN_FEATURES } from '../../_shared/traffic.ts';
import { CHECK_AGAIN, expectedReport, fmtP, isOutcome, reportsOrOutcome, SCRIPT } from './shared.ts';

/**
 * Whether a learner's p-value agrees with the exact two-sample KS p-value:
 * within 0.02 + 5% (room for scipy's asymptotic mode), and for tiny p-values
 * within a factor of ten (a t-test's 1e-80 is not a KS 1e-67).
 */
export function pValuesAgree(theirs: number, ours: number): boolean {
  if (ours < 1e-6 || theirs < 1e-6) {
    if (theirs === 0 || ours === 0) return Math.max(theirs, ours) < 1e-12;
    return Math.abs(Math.log10(theirs) - Math.log10(ours)) <= 1;
  }
  return Math.abs(theirs - ours) <= 0.02 + 0.05 * ours;
}

// Mirrors: python -c "from scipy.stats import ks_2samp; print(ks_2samp(ref[f], cur[f]).pvalue)" per feature
export default defineCheck({
  id: 'p-values-match-the-ks-test',
  title: "Each feature's p-value is the two-sample KS test's",
  needs: ['detector-prints-a-json-report'],
  hint: 'Use scipy.stats.ks_2samp(reference[feature], current[feature]).pvalue for every feature.',
  async run(ctx) {
    const reports = await reportsOrOutcome(ctx);
    if (isOutcome(reports)) return reports;
    const wrong: string[] = [];
    for (const { window, report } of reports) {
      const ours = expectedReport(window);
      for (const feature of LOAN_FEATURES) {
        const expected = ours.columns.find((c) => c.column === feature)!.score;
        const theirs = report.features[feature]!.p_value;
        if (!pValuesAgree(theirs, expected))
          wrong.push(`${feature} on the ${window.name} window: yours ${fmtP(theirs)}, the KS test gives ${fmtP(expected)}`);
      }
    }
    if (wrong.length === 0) return pass(`All ${reports.length * LOAN_FEATURES.length} p-values agree with the two-sample KS test.`);
    return fail({
      message: `${wrong.length} of ${reports.length * LOAN_FEATURES.length} p-values are not the two-sample KS test's: ${SCRIPT} tests something else, or tests the wrong columns.`,
      expected:
        'p_value = scipy.stats.ks_2samp(reference[feature], current[feature]).pvalue for each feature (both samples from the CSVs, no scaling)',
      actual: wrong.slice(0, 8).join('\n') + (wrong.length > 8 ? `\n… and ${wrong.length - 8} more` : ''),
      hint: `Compare the two samples of each column with \`ks_2samp(ref[feature], cur[feature])\` (not kstest against a normal, not a t-test), then ${CHECK_AGAIN}.`,
    });
  },
});
