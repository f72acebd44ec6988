import { manifestsAreValid } from '../../_shared/manifests-are-valid.ts';
import { DEPLOYMENT } from './shared.ts';

export default manifestsAreValid({
  labId: 'kubernetes/07-rollout-and-rollback',
  title: 'The manifests in k8s/ are valid and describe the Deployment',
  expectedFiles: ['k8s/deployment.yaml'],
  requires: [{ kind: 'Deployment', name: DEPLOYMENT, what: `the Deployment ${DEPLOYMENT}` }],
});
