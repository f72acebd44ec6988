import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { branchFilterMisses, pathFilterFires } from '../../_shared/filters.ts';
import { isModel, validWorkflow } from '../../_shared/workflow.ts';
import { FILE } from './shared.ts';

/** Changes that must not start a retrain on their own. */
const UNRELATED = ['README.md', 'docs/model-card.md', '.github/workflows/ci.yml'];

export default defineCheck({
  id: 'retrain-runs-when-data-changes',
  title: 'A push to main that changes *.dvc, dvc.lock or params.yaml starts a retrain, and other pushes do not',
  needs: ['workflow-is-valid'],
  hint: "`push: { branches: [main], paths: ['**.dvc', dvc.lock, params.yaml] }`.",
  async run(ctx) {
    // Mirrors: GitHub's path filter, applied to this workspace's own .dvc files, dvc.lock and params.yaml.
    const model = await validWorkflow(ctx, FILE);
    if (!isModel(model)) return model;
    const push = model.events.push;
    const tracked = (await ctx.files.list('.', { maxEntries: 5_000, skip: (p) => /(^|\/)(\.git|\.dvc|node_modules|\.venv)(\/|$)/.test(p) }))
      .map((f) => f.path)
      .filter((p) => p.endsWith('.dvc') || p === 'dvc.lock' || p === 'params.yaml')
      .sort();
    const problems: string[] = [];
    if (!push) problems.push(`${model.where(['on'])}: no push event: new data or new params never start a retrain`);
    else {
      const branchMiss = branchFilterMisses(push, 'main');
      if (branchMiss) problems.push(`${model.where(['on', 'push'])}: a push to main does not start it: ${branchMiss}`);
      for (const path of tracked) {
        if (!pathFilterFires(push, path))
          problems.push(
            `${model.where(['on', 'push', push.paths ? 'paths' : 'paths-ignore'])}: a change to ${path} does not start a retrain (patterns: ${JSON.stringify(push.paths ?? push['paths-ignore'] ?? [])})`,
          );
      }
      const noisy = UNRELATED.filter((p) => pathFilterFires(push, p));
      if (noisy.length > 0)
        problems.push(
          `${model.where(['on', 'push'])}: ${push.paths ? 'the paths filter also matches' : 'no paths filter, so'} ${noisy.join(', ')} ${push.paths ? '' : 'and every other change '}start${noisy.length === 1 ? 's' : ''} a retrain`.replace(
            '  ',
            ' ',
          ),
        );
    }
    if (problems.length === 0)
      return pass(`A push to main that changes ${tracked.join(', ')} starts a retrain; ${UNRELATED.join(', ')} do not.`);
    return fail({
      message:
        'Retrain when what the model learns from changes (the data pointers in *.dvc and dvc.lock, the settings in params.yaml), not on every push: a README fix should not cost an hour of training.',
      expected: `push to main with paths matching ${tracked.join(', ') || '*.dvc, dvc.lock and params.yaml'} and nothing else`,
      actual: problems.join('\n'),
      hint: `In ${FILE}:\n  push:\n    branches: [main]\n    paths: ['**.dvc', dvc.lock, params.yaml]\n(\`*\` stops at a slash; \`**\` crosses folders), then \`mlops-lab check cicd/02\`.`,
    });
  },
});
