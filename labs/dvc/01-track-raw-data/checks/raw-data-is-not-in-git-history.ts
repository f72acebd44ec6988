import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { RAW_DATA, isGitRepo, notAGitRepo, repos } from '../../_shared/repo.ts';

export default defineCheck({
  id: 'raw-data-is-not-in-git-history',
  title: 'No commit contains data/raw/loans.csv',
  requires: ['git'],
  hint: 'Once data is in a commit, every clone downloads it forever; keep it out of git from the first commit.',
  async run(ctx) {
    // Mirrors: git log --all --oneline -- data/raw/loans.csv
    if (!(await isGitRepo(ctx))) return notAGitRepo();
    const { git } = await repos(ctx);
    const commits = await git.commitsTouching(RAW_DATA);
    if (commits.length > 0) {
      return fail({
        message: `${commits.length === 1 ? 'A commit adds' : `${commits.length} commits add or change`} ${RAW_DATA}: the data stays in git's history even after \`git rm\`.`,
        expected: `\`git log --all -- ${RAW_DATA}\` lists nothing`,
        actual: commits.map((c) => `${c.hash} ${c.subject}`).join('; '),
        hint:
          'If it is only in your last commit: `git rm --cached data/raw/loans.csv && dvc add data/raw/loans.csv && git add data/raw && git commit --amend`. ' +
          'Otherwise rewrite the commits that hold it (`git rebase -i`), or in this lab start the history over: `rm -rf .git && git init` and commit again without the CSV.',
      });
    }
    return pass(`No commit on any branch contains ${RAW_DATA}.`);
  },
});
