import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { quantity } from '../../../kubernetes/_shared/quantity.ts';
import { inferenceService, isFound } from './shared.ts';

// Mirrors: kubectl get inferenceservice loan-default -o jsonpath='{.spec.predictor.model.resources}'
export default defineCheck({
  id: 'resources-are-requested-and-limited',
  title: 'The predictor requests and limits CPU and memory',
  needs: ['manifest-is-an-inference-service'],
  hint: 'Requests are what the scheduler reserves (and what CPU autoscaling divides by); limits stop one model server from starving its neighbours.',
  async run(ctx) {
    const found = await inferenceService(ctx);
    if (!isFound(found)) return found;
    const resources = found.isvc.spec.predictor.model?.resources;
    const problems: string[] = [];
    const shown: string[] = [];
    for (const resource of ['cpu', 'memory'] as const) {
      const request = resources?.requests?.[resource];
      const limit = resources?.limits?.[resource];
      shown.push(`${resource} ${request ?? '-'} / ${limit ?? '-'}`);
      const requested = request === undefined ? undefined : quantity(request);
      const limited = limit === undefined ? undefined : quantity(limit);
      if (request === undefined) problems.push(`no ${resource} request`);
      else if (requested === undefined || requested <= 0) problems.push(`${resource} request "${request}" is not a positive quantity`);
      if (limit === undefined) problems.push(`no ${resource} limit`);
      else if (limited === undefined || limited <= 0) problems.push(`${resource} limit "${limit}" is not a positive quantity`);
      if (requested !== undefined && limited !== undefined && limited < requested)
        problems.push(`${resource} limit ${limit} is below its request ${request}`);
    }
    if (problems.length > 0) {
      return fail({
        message: `The predictor's resources are incomplete: ${problems.join(', ')}.`,
        expected: 'spec.predictor.model.resources with requests and limits for cpu and memory, each limit at or above its request',
        actual: `${found.where(['spec', 'predictor', 'model', 'resources'])} (request / limit) ${shown.join('; ')}`,
        hint: 'Add under spec.predictor.model: `resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {cpu: "1", memory: 1Gi}}`; size memory from the model server\'s use (`kubectl top pod`) plus headroom.',
      });
    }
    return pass(`Resources (request / limit): ${shown.join('; ')}.`);
  },
});
