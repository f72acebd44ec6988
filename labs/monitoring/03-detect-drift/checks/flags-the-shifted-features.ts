import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { LOAN_FEATURES } from '../../_shared/traffic.ts';
import { ALPHA, CHECK_AGAIN, expectedReport, fmtP, isOutcome, reportsOrOutcome, SCRIPT } from './shared.ts';

// Mirrors: python drift.py reference.csv current-shifted.csv --json | jq '.features | map_values(.drifted)'
export default defineCheck({
  id: 'flags-the-shifted-features',
  title: 'drift.py flags exactly the features that moved in shifted traffic',
  needs: ['detector-prints-a-json-report'],
  hint: `A feature drifts when its KS p-value is below ${ALPHA}; decide it from the p-value of that feature, never from a list of feature names.`,
  async run(ctx) {
    const reports = await reportsOrOutcome(ctx);
    if (isOutcome(reports)) return reports;
    const wrong: string[] = [];
    const flagged: string[] = [];
    for (const { window, report } of reports.filter((r) => r.window.name !== 'clean')) {
      const ours = expectedReport(window);
      const shouldFlag = ours.columns.filter((c) => c.drifted).map((c) => c.column);
      flagged.push(`${window.name}: ${shouldFlag.join(', ')}`);
      for (const feature of LOAN_FEATURES) {
        const expected = shouldFlag.includes(feature);
        const theirs = report.features[feature]!.drifted;
        if (theirs === expected) continue;
        const p = ours.columns.find((c) => c.column === feature)!.score;
        wrong.push(
          expected
            ? `missed ${feature} in ${window.label} (KS p = ${fmtP(p)}, below ${ALPHA})`
            : `flagged ${feature} in ${window.label}, but its KS p = ${fmtP(p)} is not below ${ALPHA}`,
        );
      }
    }
    if (wrong.length === 0) return pass(`${SCRIPT} flags the features that moved and no others (${flagged.join('; ')}).`);
    return fail({
      message: `${SCRIPT} gets ${wrong.length} feature verdict(s) wrong on shifted traffic.`,
      expected: `drifted = true exactly when the feature's KS p-value < ${ALPHA} (${flagged.join('; ')})`,
      actual: wrong.join('\n'),
      hint: `Set \`drifted = p_value < ${ALPHA}\` per feature (a small p-value means the windows differ), then try ${'`python drift.py data/reference.csv data/current-shifted.csv --json`'} and ${CHECK_AGAIN}.`,
    });
  },
});
