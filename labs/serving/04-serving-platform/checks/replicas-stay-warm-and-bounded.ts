import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { inferenceService, isFound } from './shared.ts';

/** A ceiling a reviewer accepts without a capacity plan. */
const MAX_REPLICAS_CEILING = 20;

// Mirrors: kubectl get inferenceservice loan-default -o jsonpath='{.spec.predictor.minReplicas} {.spec.predictor.maxReplicas}'
export default defineCheck({
  id: 'replicas-stay-warm-and-bounded',
  title: 'The predictor keeps at least one replica warm and has a replica ceiling',
  needs: ['manifest-is-an-inference-service'],
  hint: 'minReplicas: 0 means the first request after a quiet spell waits for a pod to start and the model to download: seconds, far over a 200 ms objective.',
  async run(ctx) {
    const found = await inferenceService(ctx);
    if (!isFound(found)) return found;
    const { minReplicas, maxReplicas } = found.isvc.spec.predictor;
    const min = minReplicas ?? 1;
    const problems: string[] = [];
    if (min < 1)
      problems.push('minReplicas is 0: the service scales to zero, and the next request pays a cold start (pod start plus model download)');
    if (maxReplicas === undefined || maxReplicas === 0)
      problems.push('maxReplicas is not set: autoscaling has no ceiling, so a traffic spike (or a retry storm) can take the whole cluster');
    else if (maxReplicas < min) problems.push(`maxReplicas ${maxReplicas} is below minReplicas ${min}`);
    else if (maxReplicas > MAX_REPLICAS_CEILING)
      problems.push(`maxReplicas ${maxReplicas} is over ${MAX_REPLICAS_CEILING}: size it from a load test, not a guess`);
    if (problems.length > 0) {
      return fail({
        message: `The replica bounds would hurt in production: ${problems.join('; ')}.`,
        expected: `minReplicas >= 1 (2 to survive a node drain) and maxReplicas set, >= minReplicas and <= ${MAX_REPLICAS_CEILING}`,
        actual: `${found.where(['spec', 'predictor'])} minReplicas ${minReplicas ?? '(unset: 1)'}, maxReplicas ${maxReplicas ?? '(unset)'}`,
        hint: "Under spec.predictor set `minReplicas: 2` and `maxReplicas: 6` (from the rate one replica sustains in lab 03's load test); check with `kubectl get inferenceservice loan-default -o yaml`.",
      });
    }
    return pass(`Replicas between ${min} and ${maxReplicas}: always warm, never unbounded.`);
  },
});
