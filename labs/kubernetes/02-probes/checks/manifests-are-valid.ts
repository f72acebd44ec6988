import { manifestsAreValid } from '../../_shared/manifests-are-valid.ts';

export default manifestsAreValid({ labId: 'kubernetes/02-probes', expectedFiles: ['k8s/deployment.yaml'] });
