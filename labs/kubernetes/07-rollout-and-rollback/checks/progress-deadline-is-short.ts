import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { DEPLOYMENT, rolloutOnce } from './shared.ts';

const MAX_SECONDS = 300;

export default defineCheck({
  id: 'progress-deadline-is-short',
  title: `A stalled rollout is reported within ${MAX_SECONDS / 60} minutes (progressDeadlineSeconds)`,
  needs: ['deployment-exists'],
  requires: ['cluster'],
  hint: 'Set `spec.progressDeadlineSeconds` (e.g. 60): after it, the Deployment reports Progressing=False, ProgressDeadlineExceeded.',
  // Mirrors: kubectl get deployment loan-api -o jsonpath='{.spec.progressDeadlineSeconds}'
  async run(ctx) {
    const namespace = labNamespace(ctx);
    const { deployment } = await rolloutOnce(ctx);
    const seconds = deployment!.spec!.progressDeadlineSeconds ?? 600;
    const minReady = deployment!.spec!.minReadySeconds ?? 0;
    const expected = `progressDeadlineSeconds between ${minReady + 1} and ${MAX_SECONDS}`;
    if (seconds <= MAX_SECONDS && seconds > minReady) {
      return pass(
        `A rollout that makes no progress for ${seconds} s is marked ProgressDeadlineExceeded, so \`kubectl rollout status\` and alerts fail fast.`,
        { expected, actual: `${seconds} s` },
      );
    }
    return fail({
      message:
        seconds <= minReady
          ? `progressDeadlineSeconds (${seconds}) must be larger than minReadySeconds (${minReady}); the API server refuses it otherwise.`
          : `With ${seconds} s${seconds === 600 ? ' (the default)' : ''}, a broken rollout sits for ${Math.round(seconds / 60)} minutes before anything reports it; CI waiting on \`kubectl rollout status\` hangs that long.`,
      expected,
      actual: `progressDeadlineSeconds: ${seconds}`,
      hint: `Add \`progressDeadlineSeconds: 60\` under spec in k8s/deployment.yaml, then \`kubectl apply -n ${namespace} -f k8s/\` and \`kubectl get deployment ${DEPLOYMENT} -n ${namespace} -o jsonpath='{.spec.progressDeadlineSeconds}'\`.`,
    });
  },
});
