import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { inferenceService, isFound } from './shared.ts';

// Mirrors: kubectl get inferenceservice loan-default -o jsonpath='{.spec.predictor.model.modelFormat.name} {.spec.predictor.model.protocolVersion}'
export default defineCheck({
  id: 'model-format-is-mlflow-v2',
  title: 'The predictor serves an MLflow model over the Open Inference Protocol (v2)',
  needs: ['manifest-is-an-inference-service'],
  hint: 'KServe serves MLflow models with MLServer, which speaks only the Open Inference Protocol: `modelFormat.name: mlflow` and `protocolVersion: v2`.',
  async run(ctx) {
    const found = await inferenceService(ctx);
    if (!isFound(found)) return found;
    const model = found.isvc.spec.predictor.model;
    const format = model?.modelFormat.name;
    const protocol = model?.protocolVersion ?? 'v1 (the default)';
    const problems: string[] = [];
    if (!model) problems.push('spec.predictor has no `model:` (use the model spec, not a custom container)');
    else {
      if (format?.toLowerCase() !== 'mlflow')
        problems.push(
          `${found.where(['spec', 'predictor', 'model', 'modelFormat', 'name'])} modelFormat.name is "${format}", but the registry's artifact is an MLflow model (an MLmodel file and its flavors)`,
        );
      if (model.protocolVersion !== 'v2')
        problems.push(
          `${found.where(['spec', 'predictor', 'model'])} protocolVersion is ${protocol}; the MLflow runtime (MLServer) does not serve v1`,
        );
    }
    if (problems.length > 0) {
      return fail({
        message: 'The predictor would not come up with a runtime that can load this model.',
        expected: 'spec.predictor.model.modelFormat.name: mlflow and spec.predictor.model.protocolVersion: v2',
        actual: problems.join('; '),
        hint: 'Under `spec.predictor.model` set `modelFormat: {name: mlflow}` and `protocolVersion: v2`; then `kubectl apply -f kserve/` and `kubectl get inferenceservice loan-default` (READY True) on a cluster with KServe.',
      });
    }
    return pass('modelFormat mlflow over protocol v2: KServe picks its MLflow runtime (MLServer).');
  },
});
