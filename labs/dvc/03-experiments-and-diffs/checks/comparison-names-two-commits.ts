import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isGitRepo, notAGitRepo, repos } from '../../_shared/repo.ts';
import { COMPARISON_FILE, noComparison, readComparison } from '../comparison.ts';

export default defineCheck({
  id: 'comparison-names-two-commits',
  title: 'comparison.yaml names the baseline and a later candidate commit',
  requires: ['git'],
  hint: '`git log --oneline` lists your commits; the baseline is the one you started from, the candidate the one you made.',
  async run(ctx) {
    // Mirrors: git rev-parse --verify <baseline>^{commit} <candidate>^{commit} && git merge-base --is-ancestor <baseline> <candidate>
    if (!(await isGitRepo(ctx))) return notAGitRepo();
    if (!(await ctx.files.exists(COMPARISON_FILE))) return noComparison();
    const c = await readComparison(ctx);
    const unresolved = [
      ...(c.baselineCommit ? [] : [c.baseline ? `baseline "${c.baseline}"` : 'baseline (empty)']),
      ...(c.candidateCommit ? [] : [c.candidate ? `candidate "${c.candidate}"` : 'candidate (empty)']),
    ];
    if (unresolved.length > 0) {
      return fail({
        message: `${COMPARISON_FILE} does not name two commits of this repository: ${unresolved.join(' and ')} ${unresolved.length === 1 ? 'is' : 'are'} not a commit git knows.`,
        expected: 'baseline and candidate: commit hashes (or names such as HEAD~1) that `git rev-parse` resolves',
        actual: unresolved.join('; '),
        hint: 'Run `git log --oneline`, then copy the two hashes into comparison.yaml in quotes, e.g. `baseline: "3f9c2ab"`.',
      });
    }
    const { git } = await repos(ctx);
    if (c.baselineCommit === c.candidateCommit || !(await git.isAncestor(c.baselineCommit!, c.candidateCommit!))) {
      return fail({
        message: `The candidate must be a later commit than the baseline, made from it: ${c.baselineCommit === c.candidateCommit ? 'both name the same commit' : "the baseline is not in the candidate's history"}.`,
        expected: 'baseline: an ancestor of candidate',
        actual: `baseline ${c.baselineCommit!.slice(0, 7)}, candidate ${c.candidateCommit!.slice(0, 7)}`,
        hint: '`git log --oneline --graph` shows the order; the baseline is older.',
      });
    }
    return pass(`baseline ${c.baselineCommit!.slice(0, 7)}, candidate ${c.candidateCommit!.slice(0, 7)} (a descendant of the baseline).`);
  },
});
