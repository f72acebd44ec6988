import { defineLab } from '@mlops-lab/grader/authoring';
import { mlflowLabHooks } from '../_shared/lab-env.ts';
import bothVersionsAreKept from './checks/both-versions-are-kept.ts';
import challengerIsTaggedFailed from './checks/challenger-is-tagged-failed.ts';
import challengerWasMeasuredWorse from './checks/challenger-was-measured-worse.ts';
import championIsBackOnVersion1 from './checks/champion-is-back-on-version-1.ts';

export default defineLab({
  id: 'mlflow/05-rollback-by-alias',
  version: '1.0.0',
  title: 'Roll back by moving the alias',
  stage: 'mlflow',
  summary:
    'A version went to champion without validation. Measure it against the version before, record the evidence on both, and roll back by moving the champion alias.',
  minutes: 35,
  difficulty: 'intermediate',
  skills: ['experiment-tracking', 'model-serving'],
  needs: ['python', 'mlflow'],
  checks: [bothVersionsAreKept, challengerWasMeasuredWorse, challengerIsTaggedFailed, championIsBackOnVersion1],
  defaults: { timeoutMs: 30_000 },
  ...mlflowLabHooks({ usesModel: true, trains: true }),
  contract: { starterFails: ['both-versions-are-kept'] },
});
