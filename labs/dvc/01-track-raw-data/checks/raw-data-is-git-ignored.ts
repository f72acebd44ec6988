import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { RAW_DATA, isGitRepo, notAGitRepo, repos } from '../../_shared/repo.ts';

export default defineCheck({
  id: 'raw-data-is-git-ignored',
  title: 'git ignores data/raw/loans.csv and does not track it',
  requires: ['git'],
  hint: '`dvc add data/raw/loans.csv` writes data/raw/.gitignore for you; if git already tracks the CSV, `git rm --cached data/raw/loans.csv`.',
  async run(ctx) {
    // Mirrors: git ls-files data/raw/loans.csv && git check-ignore -v data/raw/loans.csv
    if (!(await isGitRepo(ctx))) return notAGitRepo();
    const { git } = await repos(ctx);
    if ((await git.trackedFiles([RAW_DATA])).length > 0) {
      return fail({
        message: `git tracks ${RAW_DATA}: the data goes into every clone and every commit, which is what DVC is there to avoid.`,
        expected: `${RAW_DATA} ignored by git, its versions kept by DVC`,
        actual: `\`git ls-files ${RAW_DATA}\` lists it`,
        hint: `Stop tracking it (the file stays on disk): \`git rm --cached ${RAW_DATA} && dvc add ${RAW_DATA} && git add data/raw && git commit -m "Track loans.csv with DVC"\`.`,
      });
    }
    const ignored = await git.isIgnored(RAW_DATA);
    if (!ignored.ignored) {
      return fail({
        message: `git does not ignore ${RAW_DATA}: one \`git add .\` would commit the data itself.`,
        expected: `a .gitignore rule that matches ${RAW_DATA} (\`dvc add\` writes data/raw/.gitignore)`,
        actual: `\`git check-ignore ${RAW_DATA}\` finds no rule`,
        hint: `Run \`dvc add ${RAW_DATA}\`; it adds \`/loans.csv\` to data/raw/.gitignore.`,
      });
    }
    return pass(`git ignores ${RAW_DATA} (${ignored.rule}) and does not track it.`);
  },
});
