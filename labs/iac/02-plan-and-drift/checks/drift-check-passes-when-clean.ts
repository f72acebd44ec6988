import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { SCRIPT, outputTail, runDriftScript, timedOut } from './shared.ts';

// Mirrors: bash drift-check.sh; echo $?   (0 when nothing drifted)
export default defineCheck({
  id: 'drift-check-passes-when-clean',
  title: 'drift-check.sh exits 0 when the cluster matches the configuration',
  needs: ['plan-shows-no-changes'],
  requires: ['tofu'],
  timeoutMs: 200_000,
  hint: 'A drift check that cries wolf gets switched off: with nothing changed it must exit 0.',
  async run(ctx) {
    const result = await runDriftScript(ctx);
    const stuck = timedOut(result);
    if (stuck) return stuck;
    if (result.exitCode !== 0) {
      return fail({
        message: `${SCRIPT} exited ${result.exitCode ?? `by signal ${result.signal}`} although the plan is empty (the grader's own plan exited 0 a moment ago).`,
        expected: 'exit 0',
        actual: `exit ${result.exitCode}; last output:\n${outputTail(result)}`,
        hint: `Run \`bash ${SCRIPT}; echo $?\`. Map tofu's exit codes yourself: \`tofu plan -detailed-exitcode\` gives 0 (no changes), 2 (changes), 1 (error).`,
      });
    }
    return pass(`${SCRIPT} exits 0 with nothing drifted.`);
  },
});
