import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isModel, validWorkflow } from '../../_shared/workflow.ts';
import { FILE, deployJob } from './shared.ts';

export default defineCheck({
  id: 'deploy-uses-a-protected-environment',
  title: 'The deploy job runs in an environment (where protection rules and deploy secrets live)',
  needs: ['workflow-is-valid'],
  hint: '`environment: { name: production }` on the deploy job; required reviewers in Settings → Environments.',
  async run(ctx) {
    // Mirrors: the deploy job's `environment:`. Its protection rules live in the repository settings
    // (`gh api repos/OWNER/REPO/environments/production`), which an offline grader cannot read.
    const model = await validWorkflow(ctx, FILE);
    if (!isModel(model)) return model;
    const deploy = deployJob(model);
    const env = deploy?.environment;
    const name =
      typeof env === 'string' ? env : typeof env === 'object' && env !== null ? String((env as { name?: unknown }).name ?? '') : '';
    if (deploy && name.trim()) {
      return pass(
        `Job ${deploy.id} deploys in environment ${name}. Set its protection rules (required reviewers, deployments from main only) in Settings → Environments: the grader cannot see them.`,
      );
    }
    return fail({
      message:
        'An environment is where a deploy gets its approval rules (required reviewers, main only) and its own secrets, which other jobs cannot read.',
      expected: 'environment: production (or { name: production }) on the deploy job',
      actual: deploy
        ? `${model.where(['jobs', deploy.id])}: job ${deploy.id} has no environment:`
        : `${model.where(['jobs'])}: no deploy job`,
      hint: `Add \`environment:\\n  name: production\` to the deploy job in ${FILE}, then \`mlops-lab check cicd/03\`; protect it with \`gh api -X PUT repos/OWNER/REPO/environments/production\` or in Settings → Environments.`,
    });
  },
});
