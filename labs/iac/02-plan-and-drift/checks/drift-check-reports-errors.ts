import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { SCRIPT, outputTail, runDriftScript, unreachableKubeconfig, timedOut } from './shared.ts';

// Mirrors: KUBECONFIG=<a cluster that is down> bash drift-check.sh; echo $?   (1: the check failed)
export default defineCheck({
  id: 'drift-check-reports-errors',
  title: 'drift-check.sh exits 1, not 0 or 2, when it cannot reach the cluster',
  needs: ['drift-check-detects-drift'],
  requires: ['tofu'],
  timeoutMs: 200_000,
  hint: '"Could not check" is neither "all good" nor "drift": CI must page someone about the check itself.',
  async run(ctx) {
    const result = await runDriftScript(ctx, { KUBECONFIG: await unreachableKubeconfig(ctx), KUBE_CONFIG_PATH: '' });
    const stuck = timedOut(result);
    if (stuck) return stuck;
    if (result.exitCode !== 1) {
      const said =
        result.exitCode === 0
          ? 'reports "no drift" for a cluster it never reached'
          : result.exitCode === 2
            ? 'reports drift for a plan that failed'
            : `exits ${result.exitCode}`;
      return fail({
        message: `With the cluster unreachable (KUBECONFIG pointing at a closed port), ${SCRIPT} ${said}.`,
        expected: 'exit 1 and a message that the check itself failed',
        actual: `exit ${result.exitCode}; last output:\n${outputTail(result)}`,
        hint: `Treat \`tofu plan -detailed-exitcode\` exit 1 separately from 2: \`case $code in 0) ...;; 2) ...;; *) exit 1;; esac\`. Try \`KUBECONFIG=/nonexistent bash ${SCRIPT}; echo $?\`.`,
      });
    }
    return pass(`With the cluster unreachable, ${SCRIPT} exits 1 (the check failed), not 0 or 2.`);
  },
});
