import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { LOAN_FEATURES } from '../../_shared/traffic.ts';
import { ALPHA, CHECK_AGAIN, expectedReport, fmtP, isOutcome, reportsOrOutcome, SCRIPT } from './shared.ts';

// Mirrors: python drift.py reference.csv current-clean.csv --json | jq '.dataset_drift'   # false
export default defineCheck({
  id: 'stays-quiet-on-clean-traffic',
  title: 'drift.py raises no drift on clean traffic',
  needs: ['detector-prints-a-json-report'],
  hint: 'An alarm that fires on normal traffic gets muted by the on-call team; a detector is only useful if it stays quiet when nothing changed.',
  async run(ctx) {
    const reports = await reportsOrOutcome(ctx);
    if (isOutcome(reports)) return reports;
    const clean = reports.find((r) => r.window.name === 'clean')!;
    const ours = expectedReport(clean.window);
    const noisy = LOAN_FEATURES.filter((f) => clean.report.features[f]!.drifted);
    if (noisy.length === 0 && !clean.report.dataset_drift) {
      return pass(`No feature flagged and dataset_drift false on ${clean.window.label}.`);
    }
    const detail = noisy.map((f) => `${f} (its KS p = ${fmtP(ours.columns.find((c) => c.column === f)!.score)})`);
    return fail({
      message: `${SCRIPT} raises drift on ${clean.window.label}: ${noisy.length > 0 ? `it flags ${detail.join(', ')}` : 'no feature is flagged, yet dataset_drift is true'}.`,
      expected: `no feature flagged (every KS p-value is at least ${ALPHA}) and dataset_drift false`,
      actual: `flagged: ${noisy.join(', ') || 'none'}; dataset_drift: ${clean.report.dataset_drift}`,
      hint: `Flag a feature only when p_value < ${ALPHA} (not p_value > ${ALPHA}, not the statistic); derive dataset_drift from the flags. Try \`python drift.py data/reference.csv data/current-clean.csv --json\`, then ${CHECK_AGAIN}.`,
    });
  },
});
