import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineSolve } from '@mlops-lab/grader/authoring';
import { commit, dvc, git } from '../_shared/repo.ts';

// What a learner does: change a param (solution/params.yaml), reproduce,
// commit, read the two diffs and record the comparison.
export default defineSolve(async (ctx) => {
  const baseline = (await git(ctx, ['rev-parse', '--short', 'HEAD'])).trim();
  await ctx.copySolution();
  await dvc(ctx, ['repro']);
  await commit(ctx, 'Try deeper trees: max_depth 8');
  const candidate = (await git(ctx, ['rev-parse', '--short', 'HEAD'])).trim();
  const params = JSON.parse(await dvc(ctx, ['params', 'diff', baseline, candidate, '--json'])) as Record<string, Record<string, unknown>>;
  const metrics = JSON.parse(await dvc(ctx, ['metrics', 'diff', baseline, candidate, '--json'])) as Record<
    string,
    Record<string, { diff: number }>
  >;
  const better = (metrics['metrics.json']?.roc_auc?.diff ?? 0) > 0 ? 'candidate' : 'baseline';
  await writeFile(
    join(ctx.workspace.dir, 'comparison.yaml'),
    [
      `baseline: "${baseline}"`,
      `candidate: "${candidate}"`,
      `changed_params: [${Object.keys(params['params.yaml'] ?? {}).join(', ')}]`,
      'metric: roc_auc',
      `better: ${better}`,
      '',
    ].join('\n'),
  );
});
