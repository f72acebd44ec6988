import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isModel, validWorkflow } from '../../_shared/workflow.ts';
import { FILE } from './shared.ts';

const UNIQUE_PER_RUN = /github\.(run_id|run_number|run_attempt|sha)\b/;

export default defineCheck({
  id: 'retrains-do-not-overlap',
  title: 'A concurrency group keeps two retrains from running at once',
  needs: ['workflow-is-valid'],
  hint: '`concurrency: { group: retrain-${{ github.ref }}, cancel-in-progress: false }` at the top of the workflow.',
  async run(ctx) {
    // Mirrors: reading `concurrency:` at the workflow and job level, as GitHub queues runs by that group.
    const model = await validWorkflow(ctx, FILE);
    if (!isModel(model)) return model;
    const candidates: { path: (string | number)[]; value: unknown }[] = [{ path: ['concurrency'], value: model.data.concurrency }];
    for (const job of model.jobs) candidates.push({ path: ['jobs', job.id, 'concurrency'], value: job.raw.concurrency });
    const set = candidates.filter((c) => c.value !== undefined);
    const problems: string[] = [];
    let good: string | undefined;
    for (const c of set) {
      const group = typeof c.value === 'string' ? c.value : String((c.value as { group?: unknown }).group ?? '');
      const where = model.where(typeof c.value === 'string' ? c.path : [...c.path, 'group']);
      if (UNIQUE_PER_RUN.test(group))
        problems.push(`${where}: the group '${group}' differs on every run, so runs never wait for each other`);
      else if (group.trim() === '') problems.push(`${where}: no group name`);
      else good = `${formatPath(c.path)} group '${group}'`;
    }
    if (set.length === 0)
      problems.push(
        `${model.where(['jobs'])}: no concurrency at the workflow or job level: a scheduled run and a data push can retrain at the same time and overwrite each other's model`,
      );
    if (good && problems.length === 0) return pass(`Retrains queue in ${good}.`);
    return fail({
      message:
        'Two retrains at once race for the same outputs: the slower one wins, whichever data it had. A concurrency group makes the second wait (or cancels the older one).',
      expected: 'concurrency.group that is the same for every retrain of a branch, e.g. retrain-${{ github.ref }}',
      actual: problems.join('\n'),
      hint: `Add at the top of ${FILE}:\n  concurrency:\n    group: retrain-\${{ github.ref }}\n    cancel-in-progress: false\nthen \`mlops-lab check cicd/02\`.`,
    });
  },
});

function formatPath(path: (string | number)[]): string {
  return path.join('.');
}
