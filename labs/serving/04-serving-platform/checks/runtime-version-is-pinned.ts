import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { inferenceService, isFound } from './shared.ts';

/** Why an image tag or runtime version floats, or undefined when it is pinned. */
export function floatingVersion(value: string, kind: 'runtimeVersion' | 'image'): string | undefined {
  if (kind === 'runtimeVersion') return /^(latest|stable|main|master)$/i.test(value.trim()) ? `runtimeVersion "${value}" moves` : undefined;
  if (value.includes('@sha256:')) return undefined;
  const tag = /:([^/:]+)$/.exec(value)?.[1];
  if (!tag) return `image "${value}" has no tag (it means :latest)`;
  return /^(latest|stable|main|master)$/i.test(tag) ? `image "${value}" uses the moving tag :${tag}` : undefined;
}

// Mirrors: kubectl get inferenceservice loan-default -o jsonpath='{.spec.predictor.model.runtimeVersion} {.spec.predictor.model.image}'
export default defineCheck({
  id: 'runtime-version-is-pinned',
  title: 'The serving runtime is pinned (no latest)',
  needs: ['manifest-is-an-inference-service'],
  hint: 'A moving runtime version means the next pod restart may run a different model server than the one you tested.',
  async run(ctx) {
    const found = await inferenceService(ctx);
    if (!isFound(found)) return found;
    const model = found.isvc.spec.predictor.model;
    const problems: string[] = [];
    if (model?.runtimeVersion !== undefined) {
      const p = floatingVersion(model.runtimeVersion, 'runtimeVersion');
      if (p) problems.push(`${found.where(['spec', 'predictor', 'model', 'runtimeVersion'])} ${p}`);
    }
    if (model?.image !== undefined) {
      const p = floatingVersion(model.image, 'image');
      if (p) problems.push(`${found.where(['spec', 'predictor', 'model', 'image'])} ${p}`);
    }
    if (problems.length > 0) {
      return fail({
        message: `The serving runtime is not pinned: ${problems.join('; ')}.`,
        expected:
          'no runtimeVersion (KServe uses the version its ServingRuntime pins) or an exact version such as 1.6.1; images by exact tag or digest',
        actual: problems.join('; '),
        hint: 'Delete `runtimeVersion: latest` (the ClusterServingRuntime pins one) or set the exact version you tested; list them with `kubectl get clusterservingruntimes`.',
      });
    }
    return pass(
      model?.runtimeVersion
        ? `runtimeVersion ${model.runtimeVersion} is pinned.`
        : "No runtimeVersion: the ServingRuntime's pinned version is used.",
    );
  },
});
