import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { describeTestFailures, runHiddenTest } from '../../_shared/checks.ts';
import { MODULE } from './shared.ts';

const FILE = 'mlops_lab_grader.tftest.hcl';

/** The grader's own test of the module's promises (the learner's tests should say the same). */
const HIDDEN_TEST = `# Written by the MLOps Lab grader into a copy of the module; not part of your workspace.
mock_provider "kubernetes" {}

variables {
  team        = "churn"
  environment = "prod"
}

run "grader_prod_namespace_and_quota" {
  command = plan
  assert {
    condition     = kubernetes_namespace.this.metadata[0].name == "churn-prod"
    error_message = "the namespace of team churn in prod must be churn-prod"
  }
  assert {
    condition     = kubernetes_resource_quota.this.spec[0].hard["requests.cpu"] == "8" && kubernetes_resource_quota.this.spec[0].hard["requests.memory"] == "16Gi"
    error_message = "prod must be allowed 8 CPU cores and 16Gi of memory"
  }
  assert {
    condition     = kubernetes_config_map.defaults.data["LOG_LEVEL"] == "info"
    error_message = "prod must log at info level"
  }
}

run "grader_dev_quota" {
  command = plan
  variables {
    environment = "dev"
  }
  assert {
    condition     = kubernetes_resource_quota.this.spec[0].hard["requests.cpu"] == "2" && kubernetes_namespace.this.metadata[0].labels["environment"] == "dev"
    error_message = "dev must be limited to 2 CPU cores and labelled environment=dev"
  }
}

run "grader_rejects_qa_environment" {
  command = plan
  variables {
    environment = "qa"
  }
  expect_failures = [var.environment]
}

run "grader_rejects_uppercase_team" {
  command = plan
  variables {
    team = "Churn"
  }
  expect_failures = [var.team]
}
`;

const PROMISE: Record<string, string> = {
  grader_prod_namespace_and_quota: 'prod: namespace churn-prod, 8 CPU cores and 16Gi, info logs',
  grader_dev_quota: 'dev: 2 CPU cores, labelled environment=dev',
  grader_rejects_qa_environment: 'environment "qa" rejected by the validation on var.environment',
  grader_rejects_uppercase_team: 'team "Churn" rejected by the validation on var.team',
};

// Mirrors: tofu test -filter=mlops_lab_grader.tftest.hcl (the grader's own test file, not in your workspace)
export default defineCheck({
  id: 'module-meets-the-spec',
  title: "The grader's own tests pass against your module (quotas, names, validation)",
  needs: ['tests-parse'],
  requires: ['tofu'],
  timeoutMs: 240_000,
  hint: 'The starter module has two bugs the instructions describe; good tests find them before the grader does.',
  async run(ctx) {
    const result = await runHiddenTest(ctx, MODULE, FILE, HIDDEN_TEST);
    const broken = result.runs.filter((r) => r.status !== 'pass');
    if (result.initError || broken.length > 0 || result.passed < Object.keys(PROMISE).length) {
      return fail({
        message: `The module breaks ${broken.length || 'some'} of its promises (${result.program}): ${broken.map((r) => PROMISE[r.run] ?? r.run).join('; ') || "the grader's test did not run"}.`,
        expected: Object.values(PROMISE).join('; '),
        actual: describeTestFailures(result),
        hint: `Write a test for each promise first (it should fail), then fix ${MODULE}/main.tf or variables.tf; \`cd ${MODULE} && tofu test\`.`,
      });
    }
    return pass(`${result.program}: all ${result.passed} runs of the grader's test pass against your module.`);
  },
});
