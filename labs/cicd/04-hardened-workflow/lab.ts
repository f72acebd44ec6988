import { defineLab } from '@mlops-lab/grader/authoring';
import actionsArePinned from './checks/actions-are-pinned-to-a-commit-sha.ts';
import pullRequestCodeNeverRunsWithBaseSecrets from './checks/pull-request-code-never-runs-with-base-secrets.ts';
import runScriptsDoNotInterpolateUntrustedInput from './checks/run-scripts-do-not-interpolate-untrusted-input.ts';
import tokenHasLeastPrivilege from './checks/token-has-least-privilege.ts';
import workflowIsValid from './checks/workflow-is-valid.ts';

export default defineLab({
  id: 'cicd/04-hardened-workflow',
  version: '1.0.0',
  title: 'Review and harden a pull request workflow',
  stage: 'cicd',
  summary:
    'A security review of a workflow that works: pull_request_target running fork code, a pull request title injected into a script, a write-all token and unpinned actions. Fix what an attacker would use.',
  minutes: 35,
  difficulty: 'intermediate',
  skills: ['production-python'],
  needs: [],
  checks: [
    workflowIsValid,
    pullRequestCodeNeverRunsWithBaseSecrets,
    runScriptsDoNotInterpolateUntrustedInput,
    tokenHasLeastPrivilege,
    actionsArePinned,
  ],
  defaults: { timeoutMs: 20_000 },
  contract: {
    starterFails: [
      'pull-request-code-never-runs-with-base-secrets',
      'run-scripts-do-not-interpolate-untrusted-input',
      'token-has-least-privilege',
      'actions-are-pinned-to-a-commit-sha',
    ],
  },
});
