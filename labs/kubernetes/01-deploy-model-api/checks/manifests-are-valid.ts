import { manifestsAreValid } from '../../_shared/manifests-are-valid.ts';

export default manifestsAreValid({ labId: 'kubernetes/01-deploy-model-api', expectedFiles: ['k8s/deployment.yaml'] });
