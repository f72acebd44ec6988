import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { RAW_DATA_DVC, repos } from '../../_shared/repo.ts';
import { firstVersion } from '../versions.ts';

export default defineCheck({
  id: 'restored-version-is-committed',
  title: 'A new commit points at the first version again (a rollback, not a rewrite of history)',
  needs: ['pointer-matches-the-data'],
  requires: ['git'],
  hint: 'Commit the restored pointer: `git commit -m "Roll the loans data back to v1" data/raw/loans.csv.dvc`; the newer version stays in history.',
  async run(ctx) {
    // Mirrors: git status --porcelain -- data/raw/loans.csv.dvc && git log --oneline -- data/raw/loans.csv.dvc
    const first = (await firstVersion(ctx))!;
    const { git } = await repos(ctx);
    const dirty = await git.uncommitted([RAW_DATA_DVC]);
    const history = await git.commitsTouching(RAW_DATA_DVC, 200);
    if (dirty.length > 0) {
      return fail({
        message: `The restored ${RAW_DATA_DVC} is not committed: the next \`git checkout\` or a teammate's clone still gets the newer data.`,
        expected: `HEAD's ${RAW_DATA_DVC} pointing at md5 ${first.md5}`,
        actual: `${RAW_DATA_DVC}: changed since the last commit`,
        hint: `\`git commit -m "Roll the loans data back to v1" ${RAW_DATA_DVC}\``,
      });
    }
    if (history.length < 3) {
      return fail({
        message: `The history has ${history.length} version${history.length === 1 ? '' : 's'} of ${RAW_DATA_DVC}: the rollback should be a new commit on top of the newer version, not a reset that drops it.`,
        expected: 'three commits touching the pointer: v1, v2, and your rollback',
        actual: history.map((c) => `${c.hash} ${c.subject}`).join('; '),
        hint: '`git reflog` finds the dropped commit; `git reset --hard <it>`, then restore v1 with `git checkout` and `dvc checkout` and commit.',
      });
    }
    return pass(`HEAD points at the first version again (${history[0]!.hash} ${history[0]!.subject}); the newer version stays in history.`);
  },
});
