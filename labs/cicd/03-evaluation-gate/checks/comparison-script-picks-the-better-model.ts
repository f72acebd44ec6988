import { fileURLToPath } from 'node:url';
import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { SCRIPT } from './shared.ts';

const metrics = (name: string): string => fileURLToPath(new URL(`./metrics/${name}.json`, import.meta.url));

/** Candidate files against the same champion (roc_auc 0.80), and what a reviewer expects. */
const CASES = [
  { name: 'better', says: 'roc_auc 0.83 against 0.80', expect: 'better=true' },
  { name: 'worse', says: 'roc_auc 0.77 against 0.80 (but higher accuracy)', expect: 'better=false' },
  { name: 'equal', says: 'roc_auc 0.80 against 0.80', expect: 'better=false' },
  { name: 'no-metric', says: 'a file without roc_auc', expect: 'exit 2' },
  { name: 'truncated', says: 'a file that is not valid JSON', expect: 'exit 2' },
] as const;

export default defineCheck({
  id: 'comparison-script-picks-the-better-model',
  title: `${SCRIPT} says better=true only when the candidate's roc_auc is higher, and refuses broken metric files`,
  requires: ['python'],
  timeoutMs: 60_000,
  hint: `Complete ${SCRIPT}: read roc_auc from both files, print better=true only when the candidate's is strictly higher; exit 2 on a broken file.`,
  async run(ctx) {
    // Mirrors: python scripts/compare_metrics.py CANDIDATE.json CHAMPION.json, run against metric files with a known answer.
    if (!(await ctx.files.exists(SCRIPT))) {
      return fail({
        message: `There is no ${SCRIPT}.`,
        expected: SCRIPT,
        actual: 'no such file',
        hint: `Create ${SCRIPT} (the starter has a skeleton), then \`mlops-lab check cicd/03\`.`,
      });
    }
    const wrong: string[] = [];
    for (const c of CASES) {
      const run = await ctx.process.run('python3', [SCRIPT, metrics(c.name), metrics('champion')], {
        cwd: ctx.workspace.dir,
        timeoutMs: 15_000,
        signal: ctx.signal,
        env: { PYTHONDONTWRITEBYTECODE: '1' },
        maxOutputBytes: 64 * 1024,
      });
      const lines = run.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      const verdict = lines.filter((l) => /^better=/.test(l));
      let got: string;
      if (run.timedOut) got = 'no answer in 15 s';
      else if (run.exitCode !== 0)
        got = `exit ${run.exitCode}${run.stderr.trim() ? ` (${run.stderr.trim().split('\n').at(-1)!.slice(0, 120)})` : ''}`;
      else
        got =
          verdict.length === 1 ? verdict[0]! : `${verdict.length} better= lines in: ${lines.join(' | ').slice(0, 160) || '(no output)'}`;
      const ok = c.expect === 'exit 2' ? run.exitCode !== 0 && !run.timedOut && verdict.length === 0 : got === c.expect;
      if (!ok) wrong.push(`${c.name} (${c.says}): expected ${c.expect}, got ${got}`);
    }
    if (wrong.length === 0)
      return pass(`${SCRIPT} gets all ${CASES.length} cases right: only a strictly higher roc_auc deploys, broken files stop the run.`);
    return fail({
      message:
        'The gate is only as good as the comparison: it must judge by the metric the team agreed on (roc_auc), treat a tie as "keep the champion", and stop on broken input instead of guessing.',
      expected:
        'better=true only for a strictly higher roc_auc; better=false for lower or equal; a non-zero exit and no better= line for a missing metric or broken JSON',
      actual: wrong.join('\n'),
      hint: `Try it: \`python ${SCRIPT} <candidate.json> <champion.json>\` with {"roc_auc": 0.83} vs {"roc_auc": 0.8}; fix ${SCRIPT}, then \`mlops-lab check cicd/03\`.`,
    });
  },
});
