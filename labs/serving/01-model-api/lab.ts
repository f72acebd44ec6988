import { defineLab } from '@mlops-lab/grader/authoring';
import { predictReturnsOnePerRow, serviceStarts } from '../_shared/checks.ts';
import { LOAN_DATA, TRAIN, servingLabHooks } from '../_shared/hooks.ts';
import predictRejectsInvalidInput from './checks/predict-rejects-invalid-input.ts';
import predictRequiresCredentials from './checks/predict-requires-credentials.ts';
import readySaysTheModelIsLoaded from './checks/ready-says-the-model-is-loaded.ts';
import serviceHasNoDefaultPassword from './checks/service-has-no-default-password.ts';

export default defineLab({
  id: 'serving/01-model-api',
  version: '1.0.0',
  title: 'Serve the model behind an HTTP API',
  stage: 'serving',
  summary:
    'Serve the loan-default model over HTTP with liveness and readiness endpoints, validated batch predictions and Basic auth whose password comes only from the environment.',
  minutes: 60,
  difficulty: 'beginner',
  skills: ['model-serving', 'production-python'],
  needs: ['python'],
  checks: [
    serviceStarts,
    readySaysTheModelIsLoaded,
    predictReturnsOnePerRow,
    predictRejectsInvalidInput,
    predictRequiresCredentials,
    serviceHasNoDefaultPassword,
  ],
  defaults: { timeoutMs: 30_000 },
  ...servingLabHooks({ given: [LOAN_DATA, TRAIN], train: true }),
  contract: {
    starterFails: [
      'ready-says-the-model-is-loaded',
      'predict-returns-one-prediction-per-row',
      'predict-rejects-invalid-input',
      'predict-requires-credentials',
      'service-has-no-default-password',
    ],
  },
});
