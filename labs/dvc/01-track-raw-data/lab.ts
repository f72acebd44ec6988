import { defineLab } from '@mlops-lab/grader/authoring';
import { LOAN_ROWS } from '../_shared/loans.ts';
import { createRemote, commit, gitInit, removeRemote, writeLoans } from '../_shared/repo.ts';
import defaultRemoteIsOutsideTheWorkspace from './checks/default-remote-is-outside-the-workspace.ts';
import dvcFilesAreCommitted from './checks/dvc-files-are-committed.ts';
import dvcIsInitialised from './checks/dvc-is-initialised.ts';
import rawDataIsGitIgnored from './checks/raw-data-is-git-ignored.ts';
import rawDataIsNotInGitHistory from './checks/raw-data-is-not-in-git-history.ts';
import rawDataIsTrackedByDvc from './checks/raw-data-is-tracked-by-dvc.ts';
import remoteHasEveryTrackedFile from './checks/remote-has-every-tracked-file.ts';

export default defineLab({
  id: 'dvc/01-track-raw-data',
  version: '1.0.0',
  title: 'Track raw data with DVC',
  stage: 'dvc',
  summary:
    'Put the raw loan-default data under DVC: the CSV out of git and out of its history, a committed pointer file, and every version pushed to a remote a teammate can pull from.',
  minutes: 30,
  difficulty: 'beginner',
  skills: ['pipeline-orchestration', 'production-python'],
  needs: ['dvc', 'git'],
  checks: [
    dvcIsInitialised,
    rawDataIsTrackedByDvc,
    rawDataIsGitIgnored,
    rawDataIsNotInGitHistory,
    dvcFilesAreCommitted,
    defaultRemoteIsOutsideTheWorkspace,
    remoteHasEveryTrackedFile,
  ],
  defaults: { timeoutMs: 60_000 },
  // DVC commands queue on the repository lock; two at a time is as fast as more.
  concurrency: 2,
  contract: { starterFails: ['dvc-is-initialised', 'raw-data-is-git-ignored'] },
  // A git repository with the README committed and the data not yet tracked;
  // an empty folder beside the workspace to use as the DVC remote.
  async setup(ctx) {
    await writeLoans(ctx, LOAN_ROWS);
    await gitInit(ctx);
    await commit(ctx, 'Start the loan-default project', ['README.md', '.gitignore']);
    await createRemote(ctx);
  },
  async cleanup(ctx) {
    await removeRemote(ctx);
  },
});
