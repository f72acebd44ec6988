import { defineCheck, pass } from '@mlops-lab/grader/authoring';
import { dvcNotInitialised, isGitRepo, notAGitRepo, repos } from '../../_shared/repo.ts';

export default defineCheck({
  id: 'dvc-is-initialised',
  title: 'The workspace is a git repository with DVC initialised',
  requires: ['git'],
  hint: 'Run `dvc init` at the top of the workspace; it writes .dvc/ and .dvcignore for git to commit.',
  async run(ctx) {
    // Mirrors: git rev-parse --show-toplevel && ls .dvc/config
    if (!(await isGitRepo(ctx))) return notAGitRepo();
    const { dvc } = await repos(ctx);
    if (!(await dvc.isInitialised())) return dvcNotInitialised();
    return pass('The workspace is a git repository with DVC initialised (.dvc/config).');
  },
});
