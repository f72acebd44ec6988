import { defineCheck, entryPaths, fail, pass } from '@mlops-lab/grader/authoring';
import { METRICS_FILE, normalPath, stage } from '../../_shared/pipeline.ts';

export default defineCheck({
  id: 'metrics-are-declared-as-metrics',
  title: 'evaluate declares metrics.json under metrics, kept in git (cache: false)',
  needs: ['pipeline-has-prepare-train-evaluate'],
  hint: 'Under `outs:` DVC treats metrics.json as data to cache; under `metrics:` with `cache: false`, `dvc metrics show` and `dvc metrics diff` read it and git keeps it.',
  async run(ctx) {
    // Mirrors: dvc metrics show --json
    const evaluate = await stage(ctx, 'evaluate');
    const metrics = entryPaths(evaluate.metrics).find((m) => normalPath(m.path) === METRICS_FILE);
    const inOuts = entryPaths(evaluate.outs).some((o) => normalPath(o.path) === METRICS_FILE);
    const fix = `In dvc.yaml, move it from \`outs:\` to \`metrics:\` as \`- ${METRICS_FILE}:\` with \`cache: false\` under it, then \`dvc repro\` and \`dvc metrics show\`.`;
    if (!metrics) {
      return fail({
        message: `${METRICS_FILE} is not declared as a metric${inOuts ? ' (it is under outs:)' : ''}: \`dvc metrics show\` and \`dvc metrics diff\` ignore it, and git does not keep it.`,
        expected: `stages.evaluate.metrics: [{ ${METRICS_FILE}: { cache: false } }]`,
        actual: inOuts ? `stages.evaluate.outs lists ${METRICS_FILE}` : `stages.evaluate has no ${METRICS_FILE} under outs or metrics`,
        hint: fix,
      });
    }
    if (inOuts) {
      return fail({
        message: `${METRICS_FILE} is declared twice, under outs and under metrics; DVC refuses an output declared twice.`,
        expected: `${METRICS_FILE} under metrics only`,
        actual: `${METRICS_FILE} under outs and metrics`,
        hint: `Remove \`- ${METRICS_FILE}\` from the evaluate stage's \`outs:\`.`,
      });
    }
    if (metrics.options.cache !== false) {
      return fail({
        message: `${METRICS_FILE} is a metric but DVC caches it and git-ignores it: \`dvc metrics diff\` between commits then needs the DVC cache, and a pull request shows no numbers.`,
        expected: `- ${METRICS_FILE}:\n    cache: false`,
        actual: `cache: ${metrics.options.cache === undefined ? 'not set (defaults to true)' : String(metrics.options.cache)}`,
        hint: fix,
      });
    }
    return pass(`evaluate declares ${METRICS_FILE} as a metric with cache: false.`);
  },
});
