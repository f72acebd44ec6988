import { isAbsolute } from 'node:path';
import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { RAW_DATA, RAW_DATA_DVC, describeUncommitted, repos } from '../../_shared/repo.ts';

export default defineCheck({
  id: 'dvc-files-are-committed',
  title: 'The .dvc file, the .gitignore and .dvc/config are committed',
  needs: ['raw-data-is-tracked-by-dvc'],
  requires: ['git'],
  hint: 'git keeps the small pointers (data/raw/loans.csv.dvc, data/raw/.gitignore, .dvc/config); commit them after `dvc add` and after `dvc remote add`.',
  async run(ctx) {
    // Mirrors: git status --porcelain -- .dvc/config data/raw/loans.csv.dvc data/raw/.gitignore
    const { git } = await repos(ctx);
    const ignored = await git.isIgnored(RAW_DATA);
    // The .gitignore that holds the rule must be committed too (a rule in .git/info/exclude or a global file is not shared).
    const source = ignored.rule?.split(':')[0];
    const paths = ['.dvc/config', RAW_DATA_DVC, ...(source?.endsWith('.gitignore') && !isAbsolute(source) ? [source] : [])];
    const tracked = new Set(await git.trackedFiles(paths));
    const untracked = paths.filter((p) => !tracked.has(p));
    const dirty = (await git.uncommitted(paths)).filter((l) => !untracked.includes(l.slice(3)));
    if (untracked.length > 0 || dirty.length > 0) {
      const list = [...new Set([...untracked, ...dirty.map((l) => l.slice(3))])];
      return fail({
        message: `Not committed yet: ${list.join(', ')}. A teammate who clones the repository would not get ${untracked.length > 0 ? 'these files' : 'these changes'}.`,
        expected: `${paths.join(', ')} committed as they are`,
        actual: [...untracked.map((p) => `${p}: not in git`), ...describeUncommitted(dirty)].join('; '),
        hint: `\`git add ${list.join(' ')} && git commit -m "Track the raw loans data with DVC"\``,
      });
    }
    return pass(`${paths.join(', ')} are committed.`);
  },
});
