import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { branchFilterMisses } from '../../_shared/filters.ts';
import { isModel, validWorkflow } from '../../_shared/workflow.ts';
import { FILE } from './shared.ts';

export default defineCheck({
  id: 'workflow-runs-on-pull-requests',
  title: 'The workflow runs on pull requests to main and on pushes to main',
  needs: ['workflow-is-valid'],
  hint: 'Use `on: { pull_request: { branches: [main] }, push: { branches: [main] } }`.',
  async run(ctx) {
    // Mirrors: reading `on:` the way GitHub normalises it (string, list or map), then asking "does a pull request to main start it?".
    const model = await validWorkflow(ctx, FILE);
    if (!isModel(model)) return model;
    const events = model.events;
    const problems: string[] = [];
    if (!events.pull_request) {
      problems.push(
        `${model.where(['on'])}: no pull_request event (events: ${Object.keys(events).join(', ') || 'none'}), so a pull request is merged before anything tested it`,
      );
    } else {
      const miss = branchFilterMisses(events.pull_request, 'main');
      if (miss) problems.push(`${model.where(['on', 'pull_request'])}: a pull request to main does not start it: ${miss}`);
      if (events.pull_request.paths?.length || events.pull_request['paths-ignore']?.length)
        problems.push(
          `${model.where(['on', 'pull_request'])}: a paths filter skips the tests for some pull requests, and a required check that never runs blocks the merge`,
        );
    }
    if (!events.push) problems.push(`${model.where(['on'])}: no push event: main is not tested after a merge`);
    else if (!events.push.branches?.length && !events.push['branches-ignore']?.length)
      problems.push(
        `${model.where(['on', 'push'])}: push runs on every branch: each pull request is tested twice (push and pull_request); limit it with branches: [main]`,
      );
    else {
      const miss = branchFilterMisses(events.push, 'main');
      if (miss) problems.push(`${model.where(['on', 'push'])}: a push to main does not start it: ${miss}`);
    }
    if (events.pull_request_target)
      problems.push(
        `${model.where(['on', 'pull_request_target'])}: pull_request_target runs untrusted pull request code with the base repository's secrets; use pull_request`,
      );
    if (problems.length === 0) return pass('Pull requests to main and pushes to main start the workflow.');
    return fail({
      message:
        'Tests that run only after a merge find the bug when it is already on main. The workflow must run on every pull request to main, and once more on main after the merge.',
      expected: 'on: pull_request (branches: [main]) and push (branches: [main])',
      actual: problems.join('\n'),
      hint: `Replace the \`on:\` block of ${FILE} with:\n  on:\n    pull_request:\n      branches: [main]\n    push:\n      branches: [main]\nthen \`mlops-lab check cicd/01\`.`,
    });
  },
});
