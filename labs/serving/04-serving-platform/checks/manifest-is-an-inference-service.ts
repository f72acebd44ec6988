import { defineCheck, pass } from '@mlops-lab/grader/authoring';
import { ISVC_API_VERSION, KSERVE_DIR, inferenceService, isFound } from './shared.ts';

// Mirrors: kubectl apply --dry-run=server -f kserve/   (on a cluster with KServe's CRDs)
export default defineCheck({
  id: 'manifest-is-an-inference-service',
  title: `${KSERVE_DIR}/ holds one valid KServe InferenceService`,
  hint: `A KServe InferenceService is a custom resource: \`apiVersion: ${ISVC_API_VERSION}\`, \`kind: InferenceService\`, the model under \`spec.predictor.model\`.`,
  async run(ctx) {
    const found = await inferenceService(ctx);
    if (!isFound(found)) return found;
    return pass(`${found.object.file}: InferenceService "${found.isvc.metadata.name}" (${ISVC_API_VERSION}).`);
  },
});
