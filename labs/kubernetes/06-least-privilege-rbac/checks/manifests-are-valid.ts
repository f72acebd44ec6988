import { manifestsAreValid } from '../../_shared/manifests-are-valid.ts';
import { SERVICE_ACCOUNT } from './shared.ts';

export default manifestsAreValid({
  labId: 'kubernetes/06-least-privilege-rbac',
  expectedFiles: ['k8s/configmap.yaml', 'k8s/rbac.yaml'],
  requires: [
    { kind: 'ServiceAccount', what: `the ServiceAccount ${SERVICE_ACCOUNT}` },
    { kind: 'Role', what: 'a namespaced Role' },
    { kind: 'RoleBinding', what: 'a RoleBinding' },
  ],
});
