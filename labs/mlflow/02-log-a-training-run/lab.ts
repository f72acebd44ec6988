import { defineLab } from '@mlops-lab/grader/authoring';
import { mlflowLabHooks } from '../_shared/lab-env.ts';
import metricsHaveAStepHistory from './checks/metrics-have-a-step-history.ts';
import modelHasSignatureAndInputExample from './checks/model-has-signature-and-input-example.ts';
import runLogsAModel from './checks/run-logs-a-model.ts';
import runLogsEvaluationReport from './checks/run-logs-evaluation-report.ts';
import runLogsHyperparameters from './checks/run-logs-hyperparameters.ts';
import trainingRunFinished from './checks/training-run-finished.ts';

export default defineLab({
  id: 'mlflow/02-log-a-training-run',
  version: '1.0.0',
  title: 'Log a training run',
  stage: 'mlflow',
  summary:
    'Make a scikit-learn training script log what a reviewer needs: hyperparameters, a metric per epoch, an evaluation report and the model with its signature.',
  minutes: 40,
  difficulty: 'beginner',
  skills: ['experiment-tracking', 'ml-fundamentals', 'production-python'],
  needs: ['python', 'mlflow'],
  checks: [
    trainingRunFinished,
    runLogsHyperparameters,
    metricsHaveAStepHistory,
    runLogsEvaluationReport,
    runLogsAModel,
    modelHasSignatureAndInputExample,
  ],
  defaults: { timeoutMs: 30_000 },
  ...mlflowLabHooks({ usesModel: false, trains: true }),
  contract: { starterFails: ['training-run-finished'] },
});
