import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineLab, type LabHookContext } from '@mlops-lab/grader/authoring';
import { DEFAULT_SHIFT, loanRows, loanRowsCsv } from '../_shared/traffic.ts';
import datasetDriftFollowsTheShareRule from './checks/dataset-drift-follows-the-share-rule.ts';
import detectorPrintsAJsonReport from './checks/detector-prints-a-json-report.ts';
import flagsTheShiftedFeatures from './checks/flags-the-shifted-features.ts';
import pValuesMatchTheKsTest from './checks/p-values-match-the-ks-test.ts';
import staysQuietOnCleanTraffic from './checks/stays-quiet-on-clean-traffic.ts';

/** Practice windows for the learner (other seeds than the grader's held-out windows). */
async function writePracticeData(ctx: LabHookContext): Promise<void> {
  const dir = join(ctx.workspace.dir, 'data');
  await mkdir(dir, { recursive: true });
  const reference = loanRows(1000, { seed: 11 });
  await writeFile(join(dir, 'reference.csv'), loanRowsCsv(reference));
  await writeFile(join(dir, 'current-clean.csv'), loanRowsCsv(loanRows(500, { seed: 12 })));
  await writeFile(join(dir, 'current-shifted.csv'), loanRowsCsv(loanRows(500, { seed: 13, shift: DEFAULT_SHIFT })));
  ctx.log('wrote data/reference.csv (1000 rows), data/current-clean.csv and data/current-shifted.csv (500 rows each)');
}

export default defineLab({
  id: 'monitoring/03-detect-drift',
  version: '1.0.0',
  title: 'Detect data drift with the two-sample KS test',
  stage: 'monitoring',
  summary:
    "Write a drift detector that compares a window of live loan applications with the training data, feature by feature, with Evidently's default test and rule: flag what moved, stay quiet on normal traffic.",
  minutes: 45,
  difficulty: 'intermediate',
  skills: ['drift-monitoring', 'production-python'],
  needs: ['python'],
  checks: [
    detectorPrintsAJsonReport,
    pValuesMatchTheKsTest,
    flagsTheShiftedFeatures,
    staysQuietOnCleanTraffic,
    datasetDriftFollowsTheShareRule,
  ],
  defaults: { timeoutMs: 60_000 },
  concurrency: 1,
  setup: writePracticeData,
  contract: { starterFails: ['p-values-match-the-ks-test', 'flags-the-shifted-features'] },
});
