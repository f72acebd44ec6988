import { defineCheck, fail, pass, readTfvars } from '@mlops-lab/grader/authoring';
import { describeTestFailures, hclLiteral, runHiddenTest } from '../../_shared/checks.ts';
import { ROOT } from './shared.ts';

const FILE = 'mlops_lab_grader.tftest.hcl';

/** The grader's own test: bad values must stop a plan at the variable, the dev values must plan. */
function hiddenTest(dev: Record<string, unknown>): string {
  const vars = Object.entries(dev)
    .map(([k, v]) => `  ${k} = ${hclLiteral(v)}`)
    .join('\n');
  return `# Written by the MLOps Lab grader into a copy of your configuration; not part of your workspace.
mock_provider "kubernetes" {}

variables {
${vars}
}

run "dev_values_plan" {
  command = plan
}

run "unknown_environment_is_rejected" {
  command = plan
  variables {
    environment = "staging"
  }
  expect_failures = [var.environment]
}

run "zero_replicas_are_rejected" {
  command = plan
  variables {
    replicas = 0
  }
  expect_failures = [var.replicas]
}
`;
}

const WHAT: Record<string, string> = {
  dev_values_plan: 'a plan with environments/dev.tfvars',
  unknown_environment_is_rejected: 'environment = "staging" stopped by a validation error on var.environment',
  zero_replicas_are_rejected: 'replicas = 0 stopped by a validation error on var.replicas',
};

// Mirrors: tofu test -filter=mlops_lab_grader.tftest.hcl (a grader-written test with mock_provider)
export default defineCheck({
  id: 'validation-rejects-bad-input',
  title: 'A plan with environment "staging" or 0 replicas stops at the variable; the dev values plan',
  needs: ['tofu-validate-passes', 'environments-set-their-values'],
  requires: ['tofu'],
  timeoutMs: 240_000,
  hint: 'Validation on the root variables fails fast, at plan time, with your error_message, before any provider call.',
  async run(ctx) {
    const dev = await readTfvars(ctx.files, `${ROOT}/environments/dev.tfvars`);
    const result = await runHiddenTest(ctx, ROOT, FILE, hiddenTest(dev));
    const bad = result.runs.filter((r) => r.status !== 'pass');
    if (result.initError || bad.length > 0 || result.runs.length < 3) {
      return fail({
        message: `The grader's test (${result.program}) did not get what it expected: ${bad.map((r) => WHAT[r.run] ?? r.run).join('; ') || 'the test did not run'}.`,
        expected: Object.values(WHAT).join('; '),
        actual: describeTestFailures(result),
        hint: "Try it yourself: `cd infra && tofu plan -var-file=environments/dev.tfvars -var environment=staging` must end with your validation error_message (validate the ROOT variables, not only the module's).",
      });
    }
    return pass(`${result.program}: ${result.passed} runs of the grader's test pass: bad values stop at validation, dev plans.`);
  },
});
