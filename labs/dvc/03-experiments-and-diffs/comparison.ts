/**
 * comparison.yaml: the learner's record of their experiment (two commits,
 * the params that changed, and which commit is better), read once per run
 * and resolved against git.
 */
import { EvidenceError, fail, parseDvcYaml, type CheckContext, type CheckOutcome } from '@mlops-lab/grader/authoring';
import { repos } from '../_shared/repo.ts';

export const COMPARISON_FILE = 'comparison.yaml';

function invalid(what: string): EvidenceError {
  return new EvidenceError(
    'COMPARISON_INVALID',
    `${COMPARISON_FILE}: ${what}`,
    `Keep the starter's layout: \`git show HEAD~1:${COMPARISON_FILE}\` (or the first commit) shows it.`,
  );
}

/** The fields of comparison.yaml, checked by hand (YAML reads an all-digit hash as a number). */
function fields(data: unknown): { baseline: string; candidate: string; changed_params: string[]; metric: string; better: string } {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw invalid('is not a map of baseline, candidate, changed_params, metric and better.');
  const map = data as Record<string, unknown>;
  const text = (key: string, fallback = ''): string => {
    const value = map[key] ?? fallback;
    if (typeof value !== 'string' && typeof value !== 'number') throw invalid(`${key} must be text, found ${JSON.stringify(value)}.`);
    return String(value).trim();
  };
  const changed = map.changed_params ?? [];
  if (!Array.isArray(changed) || changed.some((k) => typeof k !== 'string'))
    throw invalid('changed_params must be a list of keys such as [train.max_depth].');
  return {
    baseline: text('baseline'),
    candidate: text('candidate'),
    changed_params: changed as string[],
    metric: text('metric', 'roc_auc'),
    better: text('better'),
  };
}

export interface Comparison {
  baseline: string;
  candidate: string;
  /** Full hashes, when the names resolve. */
  baselineCommit?: string;
  candidateCommit?: string;
  changedParams: string[];
  metric: string;
  better: string;
}

export function readComparison(ctx: CheckContext): Promise<Comparison> {
  return ctx.memo('dvc-lab:comparison', async () => {
    const text = await ctx.files.readText(COMPARISON_FILE, { maxBytes: 64 * 1024 });
    const c = fields(parseDvcYaml(text, COMPARISON_FILE));
    const { git } = await repos(ctx);
    return {
      baseline: c.baseline,
      candidate: c.candidate,
      baselineCommit: c.baseline ? await git.resolveCommit(c.baseline) : undefined,
      candidateCommit: c.candidate ? await git.resolveCommit(c.candidate) : undefined,
      changedParams: c.changed_params,
      metric: c.metric,
      better: c.better.trim(),
    };
  });
}

/** The comparison's two commits (the check that needs them has passed). */
export async function commits(ctx: CheckContext): Promise<{ baseline: string; candidate: string; short: (hash: string) => string }> {
  const c = await readComparison(ctx);
  if (!c.baselineCommit || !c.candidateCommit)
    throw new EvidenceError('COMPARISON_INCOMPLETE', `${COMPARISON_FILE} does not name two commits.`, 'Fill in baseline and candidate.');
  return { baseline: c.baselineCommit, candidate: c.candidateCommit, short: (hash) => hash.slice(0, 7) };
}

/** The failure when comparison.yaml is missing. */
export function noComparison(): CheckOutcome {
  return fail({
    message: `There is no ${COMPARISON_FILE}: the grader reads your experiment's commits from it.`,
    expected: `${COMPARISON_FILE} with baseline, candidate, changed_params, metric and better`,
    actual: `no ${COMPARISON_FILE}`,
    hint: `Restore the starter's file: \`git checkout -- ${COMPARISON_FILE}\`, then fill it in.`,
  });
}
