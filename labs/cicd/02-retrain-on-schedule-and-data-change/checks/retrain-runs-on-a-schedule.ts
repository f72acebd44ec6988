import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isModel, validWorkflow } from '../../_shared/workflow.ts';
import { FILE } from './shared.ts';

/** How many values a cron field takes (`*`, `*\/n`, `a-b`, `a-b/n`, lists). */
export function fieldCount(field: string, min: number, max: number): number {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText ? Number(stepText) : 1;
    let from = min;
    let to = max;
    if (range !== '*') {
      const [a, b] = range!.split('-');
      from = Number(a);
      to = b === undefined ? (stepText ? max : from) : Number(b);
    }
    if (!Number.isFinite(from) || !Number.isFinite(to) || !(step > 0)) return NaN;
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values.size;
}

export default defineCheck({
  id: 'retrain-runs-on-a-schedule',
  title: 'The retrain workflow runs on a schedule, at most once a day',
  needs: ['workflow-is-valid'],
  hint: "`on: { schedule: [ { cron: '17 3 * * 1' } ] }`: Mondays at 03:17 UTC.",
  async run(ctx) {
    // Mirrors: reading on.schedule[].cron (GitHub's parser has already refused invalid cron syntax) and counting runs per day.
    const model = await validWorkflow(ctx, FILE);
    if (!isModel(model)) return model;
    const schedules = model.events.schedule ?? [];
    const problems: string[] = [];
    if (schedules.length === 0)
      problems.push(`${model.where(['on'])}: no schedule event: the model is never retrained unless someone remembers to`);
    const described: string[] = [];
    schedules.forEach((s, i) => {
      const [minute = '', hour = ''] = s.cron.trim().split(/\s+/);
      const perDay = fieldCount(minute, 0, 59) * fieldCount(hour, 0, 23);
      if (!(perDay <= 1))
        problems.push(
          `${model.where(['on', 'schedule', i, 'cron'])}: '${s.cron}' runs ${Number.isNaN(perDay) ? 'an unknown number of' : perDay} times a day; retraining on data that changes weekly needs one run a day at most`,
        );
      else described.push(`'${s.cron}' (minute ${minute}, hour ${hour} UTC)`);
    });
    if (problems.length === 0) return pass(`Scheduled: ${described.join(', ')}. GitHub runs schedules in UTC, on the default branch.`);
    return fail({
      message:
        'A model goes stale as the world moves; a schedule retrains it without anyone remembering. More often than the data changes only burns runner minutes (and GitHub may delay or drop runs at busy times).',
      expected: 'on.schedule with a cron that runs at most once a day, e.g. 17 3 * * 1 (Mondays 03:17 UTC)',
      actual: problems.join('\n'),
      hint: `In ${FILE}: \`schedule:\\n  - cron: '17 3 * * 1'\` (minute hour day-of-month month day-of-week, in UTC), then \`mlops-lab check cicd/02\`.`,
    });
  },
});
