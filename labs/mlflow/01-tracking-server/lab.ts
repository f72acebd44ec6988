import { defineLab } from '@mlops-lab/grader/authoring';
import { mlflowLabHooks } from '../_shared/lab-env.ts';
import backendStoreIsADatabase from './checks/backend-store-is-a-database.ts';
import experimentExists from './checks/experiment-exists.ts';
import smokeRunLoggedAnArtifact from './checks/smoke-run-logged-an-artifact.ts';
import startScriptSetsBackendAndArtifactRoot from './checks/start-script-sets-backend-and-artifact-root.ts';
import trackingServerAnswers from './checks/tracking-server-answers.ts';

export default defineLab({
  id: 'mlflow/01-tracking-server',
  version: '1.0.0',
  title: 'Run an MLflow tracking server',
  stage: 'mlflow',
  summary: 'Start an MLflow tracking server with a database backend and an artifact root, create an experiment and log a first run to it.',
  minutes: 30,
  difficulty: 'beginner',
  skills: ['experiment-tracking'],
  needs: ['python', 'mlflow'],
  checks: [
    startScriptSetsBackendAndArtifactRoot,
    trackingServerAnswers,
    backendStoreIsADatabase,
    experimentExists,
    smokeRunLoggedAnArtifact,
  ],
  defaults: { timeoutMs: 30_000 },
  ...mlflowLabHooks({ usesModel: false, trains: false }),
  contract: { starterFails: ['start-script-sets-backend-and-artifact-root', 'experiment-exists'] },
});
