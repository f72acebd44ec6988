import { defineCheck, pass } from '@mlops-lab/grader/authoring';
import { detectorRuns, SCRIPT, WINDOWS } from './shared.ts';

// Mirrors: python drift.py reference.csv current.csv --json | python -m json.tool
export default defineCheck({
  id: 'detector-prints-a-json-report',
  title: 'drift.py prints a JSON drift report for each window',
  requires: ['python'],
  timeoutMs: 200_000,
  hint: 'Run `python drift.py data/reference.csv data/current-clean.csv --json`: it must exit 0 and print one JSON object with features, drift_share and dataset_drift.',
  async run(ctx) {
    const { runs, failure } = await detectorRuns(ctx);
    if (failure) return failure;
    return pass(`${SCRIPT} printed a well-formed report for all ${runs.length} held-out windows.`, {
      actual: WINDOWS.map((w) => w.name).join(', '),
    });
  },
});
