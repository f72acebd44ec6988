import { defineSolve } from '@mlops-lab/grader/authoring';
import { RAW_DATA_DVC, commit, dvc, git } from '../_shared/repo.ts';

// What a learner does: find the first commit of the pointer, bring that
// pointer back, let DVC restore the data, commit the rollback.
export default defineSolve(async (ctx) => {
  await ctx.copySolution();
  const first = (await git(ctx, ['log', '--reverse', '--format=%h', '--', RAW_DATA_DVC])).split('\n')[0]!.trim();
  await git(ctx, ['checkout', first, '--', RAW_DATA_DVC]);
  await dvc(ctx, ['checkout', RAW_DATA_DVC]);
  await commit(ctx, 'Roll the loans data back to v1', [RAW_DATA_DVC]);
});
