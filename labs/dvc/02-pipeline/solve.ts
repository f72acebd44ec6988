import { defineSolve } from '@mlops-lab/grader/authoring';
import { commit, dvc } from '../_shared/repo.ts';

// What a learner does: fix dvc.yaml, run the pipeline, commit dvc.lock with it.
export default defineSolve(async (ctx) => {
  await ctx.copySolution();
  await dvc(ctx, ['repro']);
  await commit(ctx, 'Declare every dependency, param and metric; run the pipeline');
});
