import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { defineSolve } from '@mlops-lab/grader/authoring';
import { learnerTofu } from '../_shared/tofu.ts';

// What a learner does: split the prototype into the module and the root
// (solution/), delete the committed state file, then `tofu init` with the dev
// backend settings, which installs the pinned provider and writes the lock file.
export default defineSolve(async (ctx) => {
  await ctx.copySolution();
  await rm(join(ctx.workspace.dir, 'infra', 'terraform.tfstate'), { force: true });
  await learnerTofu(ctx, 'infra', ['init', '-input=false', '-no-color', '-backend-config=environments/dev.backend.hcl']);
});
