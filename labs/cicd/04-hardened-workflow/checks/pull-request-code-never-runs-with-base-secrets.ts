import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isModel, validWorkflow } from '../../_shared/workflow.ts';
import { FILE, PR_HEAD_REF } from './shared.ts';

const PRIVILEGED = ['pull_request_target', 'workflow_run'] as const;

export default defineCheck({
  id: 'pull-request-code-never-runs-with-base-secrets',
  title: "A pull request's code never runs under pull_request_target (the base repository's token and secrets)",
  needs: ['workflow-is-valid'],
  hint: 'Test pull requests on `pull_request`; keep pull_request_target for jobs that never check out the pull request.',
  async run(ctx) {
    // Mirrors: the "pwn request" review GitHub Security Lab describes (and zizmor's dangerous-triggers audit): a privileged trigger plus a checkout of the pull request's head.
    const model = await validWorkflow(ctx, FILE);
    if (!isModel(model)) return model;
    const privileged = PRIVILEGED.filter((e) => model.events[e] !== undefined);
    const problems: string[] = [];
    if (privileged.length > 0) {
      for (const job of model.jobs) {
        for (const step of job.steps) {
          const ref = String(step.with.ref ?? '');
          if (step.uses?.startsWith('actions/checkout@') && PR_HEAD_REF.test(ref)) {
            problems.push(
              `${model.where(['jobs', job.id, 'steps', step.index, 'with', 'ref'])}: job ${job.id} checks out the pull request (${ref}) under ${privileged.join(', ')}, then runs it with write access and the repository's secrets`,
            );
          }
        }
      }
    }
    if (problems.length === 0) {
      return pass(
        privileged.length
          ? `${privileged.join(', ')} is used, but no job checks out the pull request's code.`
          : `The workflow runs on ${Object.keys(model.events).join(', ')}: a fork's code gets a read-only token and no secrets.`,
      );
    }
    return fail({
      message:
        "pull_request_target runs in the base repository's context: its token can write and its secrets are there. Checking out the pull request's head and running its tests hands both to anyone who opens a pull request (the code runs `pip install` and `pytest` from the fork).",
      expected: 'tests on pull_request; no checkout of the pull request head under pull_request_target or workflow_run',
      actual: problems.join('\n'),
      hint: `Change the trigger in ${FILE} to \`pull_request:\` and remove the \`ref:\` from the checkout, then \`mlops-lab check cicd/04\`.`,
    });
  },
});
