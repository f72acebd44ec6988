import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { moduleAt } from '../../_shared/config.ts';
import { copiedConfigTofu } from '../../_shared/tofu.ts';
import { MUTANTS, runMutant, type MutantRun } from './mutants.ts';
import { MODULE } from './shared.ts';

// Mirrors: break the module on purpose, `tofu test`, expect a failure (mutation testing)
export default defineCheck({
  id: 'tests-catch-broken-modules',
  title: 'Your tests fail when the module is broken on purpose',
  needs: ['tofu-test-passes', 'module-meets-the-spec'],
  requires: ['tofu'],
  timeoutMs: 420_000,
  hint: 'A test suite is only as good as the bugs it catches: the grader breaks one promise at a time and runs your tests.',
  async run(ctx) {
    const module = await moduleAt(ctx, MODULE);
    const base = await copiedConfigTofu(ctx, MODULE);
    const runs: MutantRun[] = [];
    for (const mutant of MUTANTS) {
      ctx.progress(`mutant ${mutant.id}`);
      runs.push(await runMutant(ctx, module, base.dir, mutant));
    }
    const made = runs.filter((r) => r.outcome !== 'skipped');
    const survived = runs.filter((r) => r.outcome === 'survived');
    const report = runs.map((r) => `${r.mutant.id} (${r.mutant.breaks}): ${r.outcome}, ${r.detail}`).join('\n');
    if (survived.length > 0) {
      return fail({
        message: `${survived.length} of ${made.length} broken versions of the module pass your tests: ${survived.map((r) => r.mutant.breaks).join('; ')}.`,
        expected: 'every broken version fails at least one run',
        actual: report,
        hint: `Add an assert for each one that survived (e.g. check \`kubernetes_config_map.defaults.data["LOG_LEVEL"]\` in prod), then \`cd ${MODULE} && tofu test\`.`,
      });
    }
    if (made.length < 3) {
      return fail({
        message: `Only ${made.length} broken versions could be made from your module, too few to judge the tests: the module's locals or variables were renamed.`,
        expected: "the module's locals quota, namespace_name and log_level and the validation of var.environment, as in the starter",
        actual: report,
        hint: `Keep the module's structure from the starter (fix values, do not rename locals): \`git diff ${MODULE}\` shows what changed.`,
      });
    }
    return pass(`Your tests catch all ${made.length} broken versions: ${made.map((r) => r.mutant.breaks).join('; ')}.`, { actual: report });
  },
});
