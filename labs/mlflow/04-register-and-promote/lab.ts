import { defineLab } from '@mlops-lab/grader/authoring';
import { mlflowLabHooks } from '../_shared/lab-env.ts';
import championAliasIsSet from './checks/champion-alias-is-set.ts';
import championIsTheBestTrial from './checks/champion-is-the-best-trial.ts';
import championPassedValidation from './checks/champion-passed-validation.ts';
import modelIsRegistered from './checks/model-is-registered.ts';
import noVersionUsesDeprecatedStages from './checks/no-version-uses-deprecated-stages.ts';

export default defineLab({
  id: 'mlflow/04-register-and-promote',
  version: '1.0.0',
  title: 'Register and promote the best model',
  stage: 'mlflow',
  summary:
    'Register the best trial of a sweep in the model registry, validate the registered version and point the champion alias at it, instead of the deprecated stages.',
  minutes: 45,
  difficulty: 'intermediate',
  skills: ['experiment-tracking', 'model-serving', 'production-python'],
  needs: ['python', 'mlflow'],
  checks: [modelIsRegistered, championAliasIsSet, championIsTheBestTrial, championPassedValidation, noVersionUsesDeprecatedStages],
  defaults: { timeoutMs: 30_000 },
  ...mlflowLabHooks({ usesModel: true, trains: true }),
  contract: { starterFails: ['model-is-registered'] },
});
