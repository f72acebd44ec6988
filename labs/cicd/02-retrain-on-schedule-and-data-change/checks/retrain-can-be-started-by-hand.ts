import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isModel, validWorkflow } from '../../_shared/workflow.ts';
import { FILE } from './shared.ts';

export default defineCheck({
  id: 'retrain-can-be-started-by-hand',
  title: 'The retrain workflow can be started by hand (workflow_dispatch)',
  needs: ['workflow-is-valid'],
  hint: 'Add `workflow_dispatch:` under `on:`.',
  async run(ctx) {
    // Mirrors: gh workflow run retrain.yml (which GitHub refuses without a workflow_dispatch trigger).
    const model = await validWorkflow(ctx, FILE);
    if (!isModel(model)) return model;
    if (model.events.workflow_dispatch)
      return pass('workflow_dispatch is set: `gh workflow run retrain.yml` or the Run workflow button starts a retrain.');
    return fail({
      message: "When a bad data batch is fixed at 10:00 you want a new model at 10:05, not at next Monday's scheduled run.",
      expected: 'on.workflow_dispatch',
      actual: `${model.where(['on'])}: events are ${Object.keys(model.events).join(', ') || 'none'}`,
      hint: `Add \`workflow_dispatch:\` under \`on:\` in ${FILE}, then \`mlops-lab check cicd/02\`; after a push, \`gh workflow run retrain.yml\` starts it.`,
    });
  },
});
