import { defineLab } from '@mlops-lab/grader/authoring';
import actionsArePinned from './checks/actions-are-pinned-to-a-commit-sha.ts';
import comparisonScript from './checks/comparison-script-picks-the-better-model.ts';
import deployNeedsEvaluation from './checks/deploy-needs-the-evaluation.ts';
import deployOnlyWhenWins from './checks/deploy-runs-only-when-the-candidate-wins.ts';
import deployUsesEnvironment from './checks/deploy-uses-a-protected-environment.ts';
import evaluationSetsOutput from './checks/evaluation-sets-a-job-output.ts';
import tokenHasLeastPrivilege from './checks/token-has-least-privilege.ts';
import workflowIsValid from './checks/workflow-is-valid.ts';

export default defineLab({
  id: 'cicd/03-evaluation-gate',
  version: '1.0.0',
  title: 'Gate the deploy on the evaluation',
  stage: 'cicd',
  summary:
    'Deploy a retrained model only when it beats the champion: a comparison script you write, its verdict as a job output, a deploy job that needs the evaluation and checks the verdict, in a protected environment.',
  minutes: 50,
  difficulty: 'intermediate',
  skills: ['pipeline-orchestration', 'ml-fundamentals'],
  needs: ['python'],
  checks: [
    workflowIsValid,
    comparisonScript,
    evaluationSetsOutput,
    deployNeedsEvaluation,
    deployOnlyWhenWins,
    deployUsesEnvironment,
    tokenHasLeastPrivilege,
    actionsArePinned,
  ],
  defaults: { timeoutMs: 20_000 },
  contract: {
    starterFails: [
      'comparison-script-picks-the-better-model',
      'evaluation-sets-a-job-output',
      'deploy-needs-the-evaluation',
      'deploy-runs-only-when-the-candidate-wins',
      'deploy-uses-a-protected-environment',
    ],
  },
});
