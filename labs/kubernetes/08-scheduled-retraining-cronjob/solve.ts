import { EvidenceError, defineSolve } from '@mlops-lab/grader/authoring';
import { copySolutionAndApply } from '../_shared/apply.ts';
import { createJobFromCronJob, waitForJob } from './run.ts';

// What a learner does: fix k8s/cronjob.yaml, `kubectl apply -n <namespace> -f k8s/`,
// then `kubectl create job --from=cronjob/loan-retrain loan-retrain-manual-1`
// and `kubectl wait --for=condition=complete job/loan-retrain-manual-1`.
export default defineSolve(async (ctx) => {
  await copySolutionAndApply(ctx);
  const name = 'loan-retrain-manual-1';
  await createJobFromCronJob(ctx, name);
  const job = await waitForJob(ctx, name, 180_000);
  if (!job)
    throw new EvidenceError(
      'JOB_DELETED',
      `job/${name} was deleted before it could be read.`,
      `kubectl get cronjob loan-retrain -o yaml (history limits)`,
    );
  if (!(job.status?.succeeded ?? 0)) throw new EvidenceError('JOB_FAILED', `job/${name} failed.`, `kubectl logs job/${name}`);
});
