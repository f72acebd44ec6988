import { defineLab } from '@mlops-lab/grader/authoring';
import { predictReturnsOnePerRowCheck, serviceStartsCheck } from '../_shared/checks.ts';
import { servingAliasLabHooks } from './hooks.ts';
import championAliasIsSet from './checks/champion-alias-is-set.ts';
import readyReportsTheChampionVersion from './checks/ready-reports-the-champion-version.ts';
import serviceFollowsTheAliasOnRestart from './checks/service-follows-the-alias-on-restart.ts';
import { serviceEnv } from './checks/shared.ts';

export default defineLab({
  id: 'serving/02-model-by-alias',
  version: '1.0.0',
  title: 'Serve the champion from the model registry',
  stage: 'serving',
  summary:
    "Load the model the MLflow registry's champion alias points at, report its name and version, and follow the alias when it moves (promotion and rollback without a code change).",
  minutes: 45,
  difficulty: 'intermediate',
  skills: ['model-serving', 'experiment-tracking'],
  needs: ['python', 'mlflow'],
  checks: [
    championAliasIsSet,
    serviceStartsCheck({ env: serviceEnv }),
    readyReportsTheChampionVersion,
    predictReturnsOnePerRowCheck({ env: serviceEnv }),
    serviceFollowsTheAliasOnRestart,
  ],
  defaults: { timeoutMs: 60_000 },
  // One at a time: the last check moves the alias (and puts it back), which the others read.
  concurrency: 1,
  ...servingAliasLabHooks(),
  contract: { starterFails: ['ready-reports-the-champion-version', 'service-follows-the-alias-on-restart'] },
});
