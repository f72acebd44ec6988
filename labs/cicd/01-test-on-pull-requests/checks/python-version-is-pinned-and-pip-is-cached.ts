import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isModel, validWorkflow } from '../../_shared/workflow.ts';
import { FILE } from './shared.ts';

export default defineCheck({
  id: 'python-version-is-pinned-and-pip-is-cached',
  title: 'setup-python names the Python version as a string (or a matrix of them) and caches pip',
  needs: ['workflow-is-valid'],
  hint: "`with: { python-version: '3.11', cache: pip }` on actions/setup-python.",
  async run(ctx) {
    // Mirrors: reading the `with:` of each actions/setup-python step, and the matrix it refers to.
    const model = await validWorkflow(ctx, FILE);
    if (!isModel(model)) return model;
    const problems: string[] = [];
    const setups = model.jobs.flatMap((job) =>
      job.steps.filter((s) => s.uses?.startsWith('actions/setup-python@')).map((step) => ({ job, step })),
    );
    if (setups.length === 0)
      problems.push(
        `${model.where(['jobs'])}: no step uses actions/setup-python, so the runner's default Python (whatever the image has today) runs the tests`,
      );
    for (const { job, step } of setups) {
      const path = ['jobs', job.id, 'steps', step.index, 'with'];
      const version = step.with['python-version'];
      if (version === undefined && step.with['python-version-file'] === undefined)
        problems.push(`${model.where(path)}: job ${job.id}, step "${step.label}": no python-version`);
      else if (typeof version === 'number')
        problems.push(
          `${model.where([...path, 'python-version'])}: job ${job.id}: python-version is the number ${version}, not a string (YAML turns 3.10 into 3.1): quote the version you mean, e.g. '3.11'`,
        );
      else if (typeof version === 'string' && /matrix\./.test(version)) {
        const matrix = (job.raw.strategy as { matrix?: Record<string, unknown> } | undefined)?.matrix ?? {};
        for (const [key, values] of Object.entries(matrix)) {
          if (!Array.isArray(values)) continue;
          values.forEach((v, i) => {
            if (typeof v === 'number')
              problems.push(
                `${model.where(['jobs', job.id, 'strategy', 'matrix', key, i])}: matrix ${key} holds the number ${v}, not a string (YAML turns 3.10 into 3.1): quote each version, e.g. '3.11'`,
              );
          });
        }
      }
      const cachedHere = ['pip', 'pipenv', 'poetry'].includes(String(step.with.cache ?? ''));
      const cacheStep = job.steps.some((s) => s.uses?.startsWith('actions/cache@'));
      if (!cachedHere && !cacheStep)
        problems.push(
          `${model.where(path)}: job ${job.id}: pip downloads every package again on each run (no cache: pip, no actions/cache step)`,
        );
    }
    if (problems.length === 0) return pass(`Python is pinned and pip is cached in ${setups.length} setup-python step(s).`);
    return fail({
      message:
        'The same code must meet the same Python on every run, and a pull request check should take seconds, not minutes of downloads.',
      expected: "actions/setup-python with python-version: '3.11' (a quoted string, or a matrix of quoted strings) and cache: pip",
      actual: problems.join('\n'),
      hint: `In ${FILE}: \`- uses: actions/setup-python@<sha> # v5.3.0\\n  with:\\n    python-version: '3.11'\\n    cache: pip\`, then \`mlops-lab check cicd/01\`.`,
    });
  },
});
