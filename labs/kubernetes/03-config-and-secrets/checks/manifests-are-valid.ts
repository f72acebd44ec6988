import { manifestsAreValid } from '../../_shared/manifests-are-valid.ts';
import { LAB_ID } from './shared.ts';

export default manifestsAreValid({ labId: LAB_ID, expectedFiles: ['k8s/configmap.yaml', 'k8s/deployment.yaml'] });
