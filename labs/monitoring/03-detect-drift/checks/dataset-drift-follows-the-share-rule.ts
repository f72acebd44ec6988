import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { LOAN_FEATURES } from '../../_shared/traffic.ts';
import { CHECK_AGAIN, DATASET_SHARE, isOutcome, reportsOrOutcome, SCRIPT } from './shared.ts';

// Mirrors: jq '[.features[] | select(.drifted)] | length' report.json, compared with .drift_share * 6 and .dataset_drift
export default defineCheck({
  id: 'dataset-drift-follows-the-share-rule',
  title: 'dataset_drift is true when at least half the features drift',
  needs: ['detector-prints-a-json-report'],
  hint: "Evidently's rule: drift_share = drifted features / all features; dataset_drift = drift_share >= 0.5.",
  async run(ctx) {
    const reports = await reportsOrOutcome(ctx);
    if (isOutcome(reports)) return reports;
    const wrong: string[] = [];
    const seen: string[] = [];
    for (const { window, report } of reports) {
      const count = LOAN_FEATURES.filter((f) => report.features[f]!.drifted).length;
      const share = count / LOAN_FEATURES.length;
      const expected = share >= DATASET_SHARE;
      seen.push(`${window.name}: ${count}/${LOAN_FEATURES.length}`);
      if (Math.abs(report.drift_share - share) > 1e-6) {
        wrong.push(
          `${window.name} window: ${count} of ${LOAN_FEATURES.length} features flagged, so drift_share is ${share.toFixed(4)}; yours says ${report.drift_share}`,
        );
      }
      if (report.dataset_drift !== expected) {
        const boundary = share === DATASET_SHARE ? ' (exactly half counts: the rule is >= 0.5, not > 0.5)' : '';
        wrong.push(
          `${window.name} window: drift_share ${share.toFixed(2)} means dataset_drift ${expected}${boundary}; yours says ${report.dataset_drift}`,
        );
      }
    }
    if (wrong.length === 0) return pass(`drift_share and dataset_drift follow the rule on every window (${seen.join(', ')}).`);
    return fail({
      message: `${SCRIPT}'s dataset verdict does not follow the share rule on ${wrong.length === 1 ? 'one window' : 'some windows'}.`,
      expected: `drift_share = flagged features / ${LOAN_FEATURES.length}; dataset_drift = drift_share >= ${DATASET_SHARE}`,
      actual: wrong.join('\n'),
      hint: `Compute both from your own flags: \`share = sum(f["drifted"] for f in features.values()) / len(features)\` and \`dataset_drift = share >= ${DATASET_SHARE}\`, then ${CHECK_AGAIN}.`,
    });
  },
});
