import { defineSolve, ifExists } from '@mlops-lab/grader/authoring';
import { labNames, labNumberOf } from '../_shared/lab-env.ts';
import { runScript } from '../_shared/runs.ts';

// What a learner does: replay yesterday once (unless it already was), then run the finished rollback script.
export default defineSolve(async (ctx) => {
  await ctx.copySolution();
  const { model } = labNames(labNumberOf(ctx.lab.id), ctx.workspace);
  if (!(await ifExists(ctx.mlflow.getRegisteredModel(model, { signal: ctx.signal })))) {
    await runScript(ctx, ['history.py'], { usesModel: true });
  }
  await runScript(ctx, ['rollback.py'], { usesModel: true });
});
