import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { MODULE, readTests } from './shared.ts';

const MUST_EXPECT = ['var.environment', 'var.team'];

// Mirrors: grep -n expect_failures modules/serving-namespace/tests/*.tftest.hcl
export default defineCheck({
  id: 'tests-cover-validation',
  title: 'Runs expect var.environment and var.team to reject bad values',
  needs: ['tests-parse'],
  hint: 'A validation nobody tests disappears in the next refactor; `expect_failures` makes the rejection a passing test.',
  async run(ctx) {
    const runs = (await readTests(ctx)).flatMap((t) => t.runs);
    const expected = new Set(runs.flatMap((r) => r.expectFailures.map((e) => e.replace(/\s+/g, ''))));
    const missing = MUST_EXPECT.filter((v) => !expected.has(v));
    if (missing.length > 0) {
      return fail({
        message: `No run expects ${missing.join(' or ')} to fail, so nothing proves that bad ${missing.map((m) => m.slice(4)).join(' or ')} values are rejected.`,
        expected: MUST_EXPECT.map((v) => `a run with a bad value and expect_failures = [${v}]`).join('; '),
        actual: expected.size > 0 ? `expect_failures: ${[...expected].join(', ')}` : 'no expect_failures anywhere',
        hint: `Add e.g. \`run "staging_is_rejected" { command = plan  variables { environment = "staging" }  expect_failures = [var.environment] }\` and run \`cd ${MODULE} && tofu test\`.`,
      });
    }
    return pass(`Runs expect ${MUST_EXPECT.join(' and ')} to reject bad values.`);
  },
});
