import { defineLab } from '@mlops-lab/grader/authoring';
import moduleMeetsTheSpec from './checks/module-meets-the-spec.ts';
import testsAssertTheSpec from './checks/tests-assert-the-spec.ts';
import testsCatchBrokenModules from './checks/tests-catch-broken-modules.ts';
import testsCoverValidation from './checks/tests-cover-validation.ts';
import testsParse from './checks/tests-parse.ts';
import tofuTestPasses from './checks/tofu-test-passes.ts';

export default defineLab({
  id: 'iac/03-tofu-tests',
  version: '1.0.0',
  title: 'Test a module with tofu test',
  stage: 'iac',
  summary:
    'Write .tftest.hcl tests with run blocks, assertions, variables, expect_failures and a mocked kubernetes provider for a team serving-namespace module, find its two bugs with them, and prove the tests catch deliberately broken versions.',
  minutes: 60,
  difficulty: 'intermediate',
  skills: ['kubernetes', 'cloud-platform'],
  needs: ['tofu'],
  checks: [testsParse, testsAssertTheSpec, testsCoverValidation, tofuTestPasses, moduleMeetsTheSpec, testsCatchBrokenModules],
  defaults: { timeoutMs: 60_000 },
  // tofu runs share one copy of the module per grading run: one at a time.
  concurrency: 1,
  contract: { starterFails: ['tests-assert-the-spec', 'tests-cover-validation', 'module-meets-the-spec'] },
});
