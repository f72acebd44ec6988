import { defineSolve } from '@mlops-lab/grader/authoring';
import { copySolutionAndApply, waitForRollout } from '../_shared/apply.ts';
import { DEPLOYMENT } from '../_shared/deployment.ts';

// What a learner does: edit k8s/deployment.yaml, `kubectl apply -n <namespace> -f k8s/`,
// then `kubectl rollout status deployment/model-api -n <namespace>`.
export default defineSolve(async (ctx) => {
  await copySolutionAndApply(ctx);
  await waitForRollout(ctx, DEPLOYMENT);
  ctx.log(`deployment/${DEPLOYMENT} rolled out`);
});
