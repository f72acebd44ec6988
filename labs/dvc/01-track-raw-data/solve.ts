import { defineSolve } from '@mlops-lab/grader/authoring';
import { basename } from 'node:path';
import { RAW_DATA, commit, dvc, remoteDir } from '../_shared/repo.ts';

// What a learner does: initialise DVC, track the CSV, commit the pointers,
// add the remote beside the workspace as the default, push, commit the config.
export default defineSolve(async (ctx) => {
  await ctx.copySolution();
  await dvc(ctx, ['init', '-q']);
  await dvc(ctx, ['add', RAW_DATA]);
  await commit(ctx, 'Track the raw loans data with DVC');
  await dvc(ctx, ['remote', 'add', '-d', 'storage', `../${basename(remoteDir(ctx.workspace.dir))}`]);
  await dvc(ctx, ['push']);
  await commit(ctx, 'Add the DVC remote');
});
