import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { describeTestFailures } from '../../_shared/checks.ts';
import { copiedConfigTofu, lastLines } from '../../_shared/tofu.ts';
import { MODULE } from './shared.ts';

// Mirrors: cd modules/serving-namespace && tofu init -backend=false && tofu test
export default defineCheck({
  id: 'tofu-test-passes',
  title: '`tofu test` passes every run of your tests',
  needs: ['tests-assert-the-spec'],
  requires: ['tofu'],
  timeoutMs: 240_000,
  hint: 'Tests that fail on a correct module are noise; fix the module or the assertion until `tofu test` says Success.',
  async run(ctx) {
    const run = await copiedConfigTofu(ctx, MODULE);
    if (run.initError) {
      return fail({
        message: `\`tofu init\` failed for ${MODULE}/ (${run.program}).`,
        expected: 'init to install hashicorp/kubernetes from the offline mirror',
        actual: lastLines(run.initError),
        hint: `Run \`cd ${MODULE} && tofu init -backend=false\` and fix the first error.`,
      });
    }
    const result = await run.tofu.test();
    if (result.exitCode !== 0 || result.failed + result.errored > 0 || result.passed === 0) {
      return fail({
        message: `\`tofu test\` (${run.program}): ${result.passed} passed, ${result.failed} failed, ${result.errored} errored.`,
        expected: 'Success! every run passed',
        actual: describeTestFailures(result),
        hint: `Run \`cd ${MODULE} && tofu test\`; a failed assert prints its error_message. If the module is wrong, fix the module (the instructions list what it must do).`,
      });
    }
    return pass(`${run.program}: tofu test — ${result.passed} runs passed.`);
  },
});
