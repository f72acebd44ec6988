import { defineCheck, entryPaths, fail, pass } from '@mlops-lab/grader/authoring';
import { normalPath, pipeline } from '../../_shared/pipeline.ts';
import { repos } from '../../_shared/repo.ts';

export default defineCheck({
  id: 'pipeline-outputs-are-not-in-git',
  title: 'The prepared data and the model are DVC outputs, not in git',
  needs: ['lock-is-committed-and-up-to-date'],
  requires: ['git'],
  hint: '`dvc repro` git-ignores each output it caches (models/.gitignore, data/.gitignore); the model is versioned by its hash in dvc.lock.',
  async run(ctx) {
    // Mirrors: git ls-files data/prepared models && git check-ignore -v models/model.pkl data/prepared
    const { stages } = await pipeline(ctx);
    const outs = Object.values(stages)
      .flatMap((s) => entryPaths(s.outs))
      .filter((o) => o.options.cache !== false)
      .map((o) => normalPath(o.path));
    const { git } = await repos(ctx);
    const tracked = outs.length > 0 ? await git.trackedFiles(outs) : [];
    const notIgnored: string[] = [];
    for (const out of outs) if (!(await git.isIgnored(out)).ignored) notIgnored.push(out);
    if (tracked.length > 0 || notIgnored.length > 0) {
      return fail({
        message: `Pipeline outputs are in git or could be: ${[...new Set([...tracked, ...notIgnored])].join(', ')}. DVC versions them by hash in dvc.lock; a copy in git bloats every clone and can disagree with dvc.lock.`,
        expected: `${outs.join(', ')}: git-ignored, not tracked`,
        actual: [...tracked.map((p) => `${p}: tracked by git`), ...notIgnored.map((p) => `${p}: not ignored`)].join('; '),
        hint:
          tracked.length > 0
            ? `\`git rm -r --cached ${tracked.join(' ')}\`, then \`dvc repro\` (it writes the .gitignore entries) and commit.`
            : 'Run `dvc repro`: it adds each output to a .gitignore beside it; commit those .gitignore files.',
      });
    }
    return pass(`${outs.join(', ')} are git-ignored and not tracked.`);
  },
});
