import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { at } from '../../_shared/config.ts';
import { MODULE, readTests } from './shared.ts';

const MIN_RUNS = 4;

// Mirrors: grep -n 'run "\|assert\|mock_provider' modules/serving-namespace/tests/*.tftest.hcl
export default defineCheck({
  id: 'tests-assert-the-spec',
  title: 'At least 4 run blocks, each asserting something, with a mocked provider and plan-only runs',
  needs: ['tests-parse'],
  hint: 'A run block without an assert only proves the plan did not crash; the asserts are the test.',
  async run(ctx) {
    const tests = await readTests(ctx);
    const runs = tests.flatMap((t) => t.runs);
    const empty = runs.filter((r) => r.asserts.length === 0 && r.expectFailures.length === 0);
    const mocked = tests.some((t) => t.mockProviders.includes('kubernetes'));
    const planRuns = runs.filter((r) => r.command === 'plan');
    const problems: string[] = [];
    if (runs.length < MIN_RUNS)
      problems.push(
        `${runs.length} run block${runs.length === 1 ? '' : 's'}; the module makes at least ${MIN_RUNS} promises (name and labels, dev quota, prod quota, outputs)`,
      );
    if (empty.length > 0)
      problems.push(
        `run ${empty.map((r) => `"${r.name}" (${at(r)})`).join(', ')} ${empty.length === 1 ? 'has' : 'have'} no assert and no expect_failures`,
      );
    if (!mocked) problems.push('no `mock_provider "kubernetes" {}`: the tests would need a live cluster, so CI could not run them');
    if (planRuns.length === 0) problems.push('no run with `command = plan`: every run would create (mock) objects');
    if (problems.length > 0) {
      return fail({
        message: `The tests do not pin the module's behaviour down yet: ${problems.join('; ')}.`,
        expected: `>= ${MIN_RUNS} runs with assert blocks, mock_provider "kubernetes", some runs with command = plan`,
        actual:
          runs
            .map(
              (r) =>
                `run "${r.name}": ${r.command}, ${r.asserts.length} asserts${r.expectFailures.length ? `, expect_failures ${r.expectFailures.join(', ')}` : ''}`,
            )
            .join('\n') || 'no runs',
        hint: `Add to ${MODULE}/tests/serving_namespace.tftest.hcl: \`mock_provider "kubernetes" {}\` and runs such as \`run "prod_gets_the_large_quota" { command = plan  variables { environment = "prod" }  assert { condition = kubernetes_resource_quota.this.spec[0].hard["requests.cpu"] == "8"  error_message = "..." } }\`; run \`tofu test\` in ${MODULE}.`,
      });
    }
    const asserts = runs.reduce((n, r) => n + r.asserts.length, 0);
    return pass(`${runs.length} runs (${planRuns.length} plan-only) with ${asserts} asserts, against a mocked kubernetes provider.`);
  },
});
