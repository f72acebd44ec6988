import { manifestsAreValid } from '../../_shared/manifests-are-valid.ts';
import { LAB_ID } from './shared.ts';

export default manifestsAreValid({ labId: LAB_ID, expectedFiles: ['k8s/deployment.yaml', 'k8s/service.yaml', 'k8s/ingress.yaml'] });
