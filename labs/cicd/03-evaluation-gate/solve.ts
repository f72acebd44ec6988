import { defineSolve } from '@mlops-lab/grader/authoring';

// What a learner does: write scripts/compare_metrics.py, try it on two metric files,
// then wire its verdict into .github/workflows/deploy.yml.
export default defineSolve(async (ctx) => {
  const files = await ctx.copySolution();
  ctx.log(`copied ${files.length} files from the solution`);
  const run = await ctx.process.run('python3', ['scripts/compare_metrics.py', 'metrics/champion.json', 'metrics/champion.json'], {
    cwd: ctx.workspace.dir,
    timeoutMs: 15_000,
    signal: ctx.signal,
    env: { PYTHONDONTWRITEBYTECODE: '1' },
  });
  if (run.exitCode !== 0 || run.stdout.trim() !== 'better=false')
    throw new Error(`compare_metrics.py on equal metrics: ${run.stdout}${run.stderr}`);
  ctx.log('compare_metrics.py: the champion against itself is not better');
});
