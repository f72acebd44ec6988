import { objectExists } from '../../_shared/object-exists.ts';
import { SERVICE_ACCOUNT, readServiceAccount } from './shared.ts';

export default objectExists({
  id: 'service-account-exists',
  kind: 'ServiceAccount',
  name: SERVICE_ACCOUNT,
  read: (ctx) => readServiceAccount(ctx, SERVICE_ACCOUNT),
  consequence: ", so the model API would run as the namespace's default account.",
  hint: 'Apply your manifests: `kubectl apply -n <namespace> -f k8s/`.',
});
