import { defineLab } from '@mlops-lab/grader/authoring';
import { mlflowLabHooks } from '../_shared/lab-env.ts';
import bestRunFileNamesTheBestTrial from './checks/best-run-file-names-the-best-trial.ts';
import everyTrialFinishedWithValLoss from './checks/every-trial-finished-with-val-loss.ts';
import sweepCoversSixParamSets from './checks/sweep-covers-six-param-sets.ts';
import sweepHasAParentRun from './checks/sweep-has-a-parent-run.ts';

export default defineLab({
  id: 'mlflow/03-sweep-and-compare',
  version: '1.0.0',
  title: 'Sweep and compare runs',
  stage: 'mlflow',
  summary: 'Run a six-trial hyperparameter sweep as nested runs, then let the tracking server rank the trials and record the best one.',
  minutes: 40,
  difficulty: 'intermediate',
  skills: ['experiment-tracking', 'ml-fundamentals'],
  needs: ['python', 'mlflow'],
  checks: [sweepHasAParentRun, sweepCoversSixParamSets, everyTrialFinishedWithValLoss, bestRunFileNamesTheBestTrial],
  defaults: { timeoutMs: 30_000 },
  ...mlflowLabHooks({ usesModel: false, trains: true }),
  contract: { starterFails: ['sweep-has-a-parent-run'] },
});
