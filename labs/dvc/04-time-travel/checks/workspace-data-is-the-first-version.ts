import { defineCheck, fail, md5OfWorkspaceFile, pass } from '@mlops-lab/grader/authoring';
import { RAW_DATA, RAW_DATA_DVC, isGitRepo, notAGitRepo } from '../../_shared/repo.ts';
import { firstVersion } from '../versions.ts';

export default defineCheck({
  id: 'workspace-data-is-the-first-version',
  title: 'data/raw/loans.csv in the workspace is the first version, byte for byte',
  requires: ['git'],
  hint: 'Bring back the old pointer with `git checkout <commit> -- data/raw/loans.csv.dvc`, then let DVC restore the data it points at: `dvc checkout`.',
  async run(ctx) {
    // Mirrors: git log --reverse --oneline -- data/raw/loans.csv.dvc && git show <first>:data/raw/loans.csv.dvc && md5sum data/raw/loans.csv
    if (!(await isGitRepo(ctx))) return notAGitRepo();
    const first = await firstVersion(ctx);
    if (!first) {
      return fail({
        message: `No commit records a version of ${RAW_DATA}: the history this lab started with is gone.`,
        expected: `commits that add and change ${RAW_DATA_DVC}`,
        actual: `\`git log -- ${RAW_DATA_DVC}\` lists nothing`,
        hint: 'Start the lab again in a new folder: `mlops-lab start dvc/04-time-travel --dir <new folder>`.',
      });
    }
    const data = await md5OfWorkspaceFile(ctx.files, RAW_DATA);
    if (data?.md5 !== first.md5) {
      return fail({
        message: `${RAW_DATA} is not the first version (commit ${first.commit}, "${first.subject}").`,
        expected: `md5 ${first.md5}, as \`git show ${first.commit}:${RAW_DATA_DVC}\` records`,
        actual: data ? `md5 ${data.md5} (${data.size} bytes)` : `no ${RAW_DATA}`,
        hint: `\`git checkout ${first.commit} -- ${RAW_DATA_DVC} && dvc checkout ${RAW_DATA_DVC}\`, then \`md5sum ${RAW_DATA}\`.`,
      });
    }
    return pass(`${RAW_DATA} has md5 ${first.md5}, the version of commit ${first.commit}.`);
  },
});
