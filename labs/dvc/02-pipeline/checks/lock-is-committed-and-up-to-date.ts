import { defineCheck, entryPaths, fail, pass, readLock } from '@mlops-lab/grader/authoring';
import { METRICS_FILE, STAGES, describeStatus, normalPath, stage } from '../../_shared/pipeline.ts';
import { describeUncommitted, repos } from '../../_shared/repo.ts';

export default defineCheck({
  id: 'lock-is-committed-and-up-to-date',
  title: 'dvc.lock matches the workspace (`dvc status` is clean) and is committed with the pipeline',
  needs: ['pipeline-has-prepare-train-evaluate'],
  requires: ['dvc', 'git'],
  hint: '`dvc repro` reruns what changed and rewrites dvc.lock; commit dvc.lock with the dvc.yaml, params and scripts it was made from.',
  async run(ctx) {
    // Mirrors: dvc status --json && git status --porcelain -- dvc.lock dvc.yaml params.yaml src metrics.json
    if (!(await ctx.files.exists('dvc.lock'))) {
      return fail({
        message: 'There is no dvc.lock: the pipeline has not run, so nothing records which data, code and params made the model.',
        expected: 'dvc.lock, written by `dvc repro`',
        actual: 'no dvc.lock',
        hint: 'Run `dvc repro`, then `git add dvc.lock dvc.yaml && git commit -m "Run the pipeline"`.',
      });
    }
    await readLock(ctx.files);
    const { dvc, git } = await repos(ctx);
    const status = (await dvc.json(['status'])) as Record<string, unknown>;
    const changes = describeStatus(status);
    if (changes.length > 0) {
      return fail({
        message:
          'dvc.lock is stale: the workspace no longer matches what the last `dvc repro` recorded, so the model may not come from this code, data and params.',
        expected: '`dvc status` prints "Data and pipelines are up to date."',
        actual: changes.join('; '),
        hint: 'Run `dvc repro` (it reruns only the changed stages and those after them), then commit dvc.lock.',
      });
    }
    // A metric with cache: false belongs in git; a cached one DVC keeps.
    const metricInGit = entryPaths((await stage(ctx, 'evaluate')).metrics).some(
      (m) => normalPath(m.path) === METRICS_FILE && m.options.cache === false,
    );
    const metricsIgnored = metricInGit ? await git.isIgnored(METRICS_FILE) : { ignored: false };
    const paths = ['dvc.lock', 'dvc.yaml', 'params.yaml', ...STAGES.map((s) => s.script), ...(metricInGit ? [METRICS_FILE] : [])];
    const tracked = new Set(await git.trackedFiles(paths));
    const untracked = paths.filter((p) => !tracked.has(p));
    const dirty = (await git.uncommitted(paths)).filter((l) => !untracked.includes(l.slice(3)));
    if (untracked.length > 0 || dirty.length > 0) {
      const list = [...untracked, ...dirty.map((l) => l.slice(3))];
      return fail({
        message: `The pipeline ran, but git does not have the result: ${list.join(', ')} ${list.length === 1 ? 'is' : 'are'} not committed as ${list.length === 1 ? 'it is' : 'they are'}. A teammate who checks out this commit gets a different pipeline than the one that ran.`,
        expected: `${paths.join(', ')} committed`,
        actual: [...untracked.map((p) => `${p}: not in git`), ...describeUncommitted(dirty)].join('; '),
        hint: `${metricsIgnored.ignored ? `${METRICS_FILE} is git-ignored by ${metricsIgnored.rule} (left from when it was an output): delete that line. ` : ''}\`git add ${list.join(' ')} && git commit -m "Run the pipeline"\``,
      });
    }
    return pass('`dvc status` is clean and dvc.lock is committed with the pipeline, params and scripts.');
  },
});
