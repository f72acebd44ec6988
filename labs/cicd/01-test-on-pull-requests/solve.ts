import { defineSolve } from '@mlops-lab/grader/authoring';

// What a learner does: rewrite .github/workflows/ci.yml, complete tests/test_pipeline.py,
// add .gitlab-ci.yml, then run the tests the workflow runs (`pytest -q`).
export default defineSolve(async (ctx) => {
  const files = await ctx.copySolution();
  ctx.log(`copied ${files.length} files from the solution`);
  const run = await ctx.process.run('pytest', ['-q'], {
    cwd: ctx.workspace.dir,
    timeoutMs: 120_000,
    signal: ctx.signal,
    env: { PYTHONDONTWRITEBYTECODE: '1' },
  });
  ctx.log(run.stdout.trim().split('\n').at(-1) ?? '');
  if (run.exitCode !== 0) throw new Error(`pytest -q failed after solve:\n${run.stdout}\n${run.stderr}`);
});
