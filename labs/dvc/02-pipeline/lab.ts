import { defineLab } from '@mlops-lab/grader/authoring';
import { LOAN_ROWS } from '../_shared/loans.ts';
import { RAW_DATA, commit, dvc, gitInit, writeLoans } from '../_shared/repo.ts';
import lockIsCommittedAndUpToDate from './checks/lock-is-committed-and-up-to-date.ts';
import metricsAreDeclaredAsMetrics from './checks/metrics-are-declared-as-metrics.ts';
import metricsReportAccuracyAndRocAuc from './checks/metrics-report-accuracy-and-roc-auc.ts';
import pipelineHasPrepareTrainEvaluate from './checks/pipeline-has-prepare-train-evaluate.ts';
import pipelineOutputsAreNotInGit from './checks/pipeline-outputs-are-not-in-git.ts';
import stagesDeclareTheParamsTheyRead from './checks/stages-declare-the-params-they-read.ts';
import stagesDeclareTheirDependencies from './checks/stages-declare-their-dependencies.ts';

export default defineLab({
  id: 'dvc/02-pipeline',
  version: '1.0.0',
  title: 'A reproducible DVC pipeline',
  stage: 'dvc',
  summary:
    'Fix a prepare -> train -> evaluate pipeline in dvc.yaml so DVC reruns exactly what a change affects: every script and param declared, metrics as metrics, dvc.lock committed and `dvc status` clean.',
  minutes: 45,
  difficulty: 'intermediate',
  skills: ['pipeline-orchestration', 'ml-fundamentals', 'production-python'],
  needs: ['python', 'dvc', 'git'],
  checks: [
    pipelineHasPrepareTrainEvaluate,
    stagesDeclareTheirDependencies,
    stagesDeclareTheParamsTheyRead,
    metricsAreDeclaredAsMetrics,
    lockIsCommittedAndUpToDate,
    pipelineOutputsAreNotInGit,
    metricsReportAccuracyAndRocAuc,
  ],
  defaults: { timeoutMs: 60_000 },
  concurrency: 2,
  contract: {
    starterFails: [
      'stages-declare-their-dependencies',
      'stages-declare-the-params-they-read',
      'metrics-are-declared-as-metrics',
      'lock-is-committed-and-up-to-date',
    ],
  },
  // Where lab 01 ended: a git repository with DVC initialised and the raw
  // data tracked, plus the scripts, params.yaml and the starter dvc.yaml, all
  // committed. The pipeline has not run.
  async setup(ctx) {
    await writeLoans(ctx, LOAN_ROWS);
    await gitInit(ctx);
    await dvc(ctx, ['init', '-q']);
    await dvc(ctx, ['add', '-q', RAW_DATA]);
    await commit(ctx, 'Start the loan-default pipeline');
  },
});
