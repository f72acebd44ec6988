import { defineLab } from '@mlops-lab/grader/authoring';
import actionsArePinned from './checks/actions-are-pinned-to-a-commit-sha.ts';
import gitlabPipeline from './checks/gitlab-pipeline-runs-lint-and-tests-on-merge-requests.ts';
import pipelineTestsPass from './checks/pipeline-tests-pass.ts';
import pythonPinnedAndCached from './checks/python-version-is-pinned-and-pip-is-cached.ts';
import secretsFromContext from './checks/secrets-come-from-secrets-context.ts';
import tokenHasLeastPrivilege from './checks/token-has-least-privilege.ts';
import workflowIsValid from './checks/workflow-is-valid.ts';
import workflowRunsLintAndTests from './checks/workflow-runs-lint-and-tests.ts';
import workflowRunsOnPullRequests from './checks/workflow-runs-on-pull-requests.ts';

export default defineLab({
  id: 'cicd/01-test-on-pull-requests',
  version: '1.0.0',
  title: 'Lint and test every pull request',
  stage: 'cicd',
  summary:
    'A GitHub Actions workflow a reviewer would approve: lint and tests on every pull request, a read-only token, actions pinned to a commit, secrets from secrets.*, pinned Python with a pip cache, ML pipeline tests that pass; and the same pipeline on GitLab CI.',
  minutes: 50,
  difficulty: 'beginner',
  skills: ['production-python', 'ml-fundamentals'],
  needs: ['python'],
  checks: [
    workflowIsValid,
    workflowRunsOnPullRequests,
    workflowRunsLintAndTests,
    tokenHasLeastPrivilege,
    actionsArePinned,
    secretsFromContext,
    pythonPinnedAndCached,
    pipelineTestsPass,
    gitlabPipeline,
  ],
  defaults: { timeoutMs: 20_000 },
  contract: {
    starterFails: [
      'workflow-runs-on-pull-requests',
      'token-has-least-privilege',
      'actions-are-pinned-to-a-commit-sha',
      'secrets-come-from-secrets-context',
      'python-version-is-pinned-and-pip-is-cached',
      'pipeline-tests-pass',
      'gitlab-pipeline-runs-lint-and-tests-on-merge-requests',
    ],
  },
});
