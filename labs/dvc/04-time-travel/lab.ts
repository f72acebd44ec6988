import { defineLab } from '@mlops-lab/grader/authoring';
import { RAW_DATA, commit, dvc, gitInit, writeLoans } from '../_shared/repo.ts';
import pointerMatchesTheData from './checks/pointer-matches-the-data.ts';
import restoredVersionIsCommitted from './checks/restored-version-is-committed.ts';
import workspaceDataIsTheFirstVersion from './checks/workspace-data-is-the-first-version.ts';
import { V1_ROWS, V2_ROWS } from './versions.ts';

export default defineLab({
  id: 'dvc/04-time-travel',
  version: '1.0.0',
  title: 'Roll data back to an older version',
  stage: 'dvc',
  summary:
    'A newer version of the loans data replaced the one a model was trained on. Find that version in git history, restore it with `git checkout` and `dvc checkout`, prove it by its md5, and commit the rollback.',
  minutes: 20,
  difficulty: 'beginner',
  skills: ['pipeline-orchestration'],
  needs: ['dvc', 'git'],
  checks: [workspaceDataIsTheFirstVersion, pointerMatchesTheData, restoredVersionIsCommitted],
  defaults: { timeoutMs: 60_000 },
  concurrency: 2,
  contract: { starterFails: ['workspace-data-is-the-first-version'] },
  // Two versions of the data, each committed as a .dvc pointer: v1 (600
  // loans), then v2 (900 loans). The workspace holds v2.
  async setup(ctx) {
    await writeLoans(ctx, V1_ROWS);
    await gitInit(ctx);
    await dvc(ctx, ['init', '-q']);
    await dvc(ctx, ['add', '-q', RAW_DATA]);
    await commit(ctx, `Loans v1: ${V1_ROWS} loans`);
    await writeLoans(ctx, V2_ROWS);
    await dvc(ctx, ['add', '-q', RAW_DATA]);
    await commit(ctx, `Loans v2: ${V2_ROWS} loans, the next quarter added`);
  },
});
