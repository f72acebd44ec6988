import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { defineLab } from '@mlops-lab/grader/authoring';
import { LOAN_ROWS } from '../_shared/loans.ts';
import { RAW_DATA, commit, dvc, gitInit, writeLoans } from '../_shared/repo.ts';
import candidateLockMatchesItsParams from './checks/candidate-lock-matches-its-params.ts';
import comparisonNamesTwoCommits from './checks/comparison-names-two-commits.ts';
import comparisonPicksTheBetterCommit from './checks/comparison-picks-the-better-commit.ts';
import paramsDiffMatchesTheComparison from './checks/params-diff-matches-the-comparison.ts';

export default defineLab({
  id: 'dvc/03-experiments-and-diffs',
  version: '1.0.0',
  title: 'Compare experiments with params and metrics diffs',
  stage: 'dvc',
  summary:
    'Change a hyperparameter, reproduce and commit, then let `dvc params diff` and `dvc metrics diff` between the two commits say what changed and which model is better.',
  minutes: 30,
  difficulty: 'intermediate',
  skills: ['experiment-tracking', 'pipeline-orchestration', 'ml-fundamentals'],
  needs: ['python', 'dvc', 'git'],
  checks: [comparisonNamesTwoCommits, paramsDiffMatchesTheComparison, candidateLockMatchesItsParams, comparisonPicksTheBetterCommit],
  defaults: { timeoutMs: 60_000 },
  concurrency: 2,
  contract: { starterFails: ['comparison-names-two-commits'] },
  // Where lab 02 ended: its scripts and params, its solution's dvc.yaml (the
  // pipeline declared in full), run once, and committed as the baseline.
  async setup(ctx) {
    const lab02 = join(import.meta.dirname, '..', '02-pipeline');
    await cp(join(lab02, 'starter', 'src'), join(ctx.workspace.dir, 'src'), { recursive: true });
    await cp(join(lab02, 'starter', 'params.yaml'), join(ctx.workspace.dir, 'params.yaml'));
    await cp(join(lab02, 'solution', 'dvc.yaml'), join(ctx.workspace.dir, 'dvc.yaml'));
    await writeLoans(ctx, LOAN_ROWS);
    await gitInit(ctx);
    await dvc(ctx, ['init', '-q']);
    await dvc(ctx, ['add', '-q', RAW_DATA]);
    await dvc(ctx, ['repro', '-q']);
    await commit(ctx, 'Baseline: random forest, 60 trees of depth 3');
  },
});
