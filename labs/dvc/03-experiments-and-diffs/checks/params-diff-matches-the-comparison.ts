import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { repos } from '../../_shared/repo.ts';
import { COMPARISON_FILE, commits, readComparison } from '../comparison.ts';

/** `dvc params diff <a> <b> --json` as key -> { old, new } over every params file. */
async function paramsDiff(ctx: Parameters<typeof commits>[0], a: string, b: string): Promise<Map<string, { old: unknown; new: unknown }>> {
  return await ctx.memo(`dvc-lab:params-diff:${a}:${b}`, async () => {
    const { dvc } = await repos(ctx);
    const diff = (await dvc.json(['params', 'diff', a, b])) as Record<string, Record<string, { old: unknown; new: unknown }>>;
    const out = new Map<string, { old: unknown; new: unknown }>();
    for (const [file, keys] of Object.entries(diff))
      for (const [key, change] of Object.entries(keys)) out.set(file === 'params.yaml' ? key : `${file}:${key}`, change);
    return out;
  });
}

export default defineCheck({
  id: 'params-diff-matches-the-comparison',
  title: 'The candidate changes params, and comparison.yaml lists exactly the ones `dvc params diff` shows',
  needs: ['comparison-names-two-commits'],
  requires: ['dvc'],
  hint: 'Run `dvc params diff <baseline> <candidate>` with the two hashes from comparison.yaml and copy its keys into changed_params.',
  async run(ctx) {
    // Mirrors: dvc params diff <baseline> <candidate> --json
    const { baseline, candidate, short } = await commits(ctx);
    const diff = await paramsDiff(ctx, baseline, candidate);
    const shown = [...diff].map(([k, v]) => `${k}: ${JSON.stringify(v.old)} -> ${JSON.stringify(v.new)}`).join(', ');
    const command = `\`dvc params diff ${short(baseline)} ${short(candidate)}\``;
    if (diff.size === 0) {
      return fail({
        message: `No parameter differs between ${short(baseline)} and ${short(candidate)}: either the comparison names the wrong commits, or params.yaml was changed but not committed.`,
        expected: `${command} shows at least one changed key`,
        actual: `${command} shows nothing`,
        hint: 'Change a value in params.yaml (e.g. train.max_depth), `dvc repro`, `git commit -am "Try a deeper forest"`, and name that commit as the candidate.',
      });
    }
    const listed = new Set((await readComparison(ctx)).changedParams);
    const actual = new Set(diff.keys());
    const missing = [...actual].filter((k) => !listed.has(k));
    const extra = [...listed].filter((k) => !actual.has(k));
    if (missing.length > 0 || extra.length > 0) {
      return fail({
        message: `changed_params in ${COMPARISON_FILE} does not match ${command}${extra.length > 0 ? `: ${extra.join(', ')} did not change between these commits (a diff against another commit?)` : ''}.`,
        expected: `changed_params: [${[...actual].join(', ')}]`,
        actual: `changed_params: [${[...listed].join(', ')}]; ${command}: ${shown}`,
        hint: `Run ${command} and list exactly its keys.`,
      });
    }
    return pass(`${command}: ${shown}.`);
  },
});
