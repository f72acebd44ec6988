import { defineLab } from '@mlops-lab/grader/authoring';
import { predictReturnsOnePerRow, serviceStarts } from '../_shared/checks.ts';
import { LAB01_APP, LOAN_DATA, TRAIN, servingLabHooks } from '../_shared/hooks.ts';
import noErrorsUnderLoad from './checks/no-errors-under-load.ts';
import p95LatencyWithinBudget from './checks/p95-latency-within-budget.ts';

export default defineLab({
  id: 'serving/03-latency-objective',
  version: '1.0.0',
  title: 'Meet a latency objective under load',
  stage: 'serving',
  summary:
    'Find why the model API is slow under load and fix it, until a bounded load test at 50 requests/s shows p95 latency within 200 ms and no errors.',
  minutes: 45,
  difficulty: 'intermediate',
  skills: ['model-serving', 'production-python'],
  needs: ['python'],
  checks: [serviceStarts, predictReturnsOnePerRow, p95LatencyWithinBudget, noErrorsUnderLoad],
  defaults: { timeoutMs: 30_000 },
  concurrency: 2,
  ...servingLabHooks({ given: [LOAN_DATA, TRAIN, ...LAB01_APP], train: true }),
  contract: { starterFails: ['p95-latency-within-budget', 'no-errors-under-load'] },
});
