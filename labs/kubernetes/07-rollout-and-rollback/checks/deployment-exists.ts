import { objectExists } from '../../_shared/object-exists.ts';
import { DEPLOYMENT, rolloutOnce } from './shared.ts';

export default objectExists({
  id: 'deployment-exists',
  kind: 'Deployment',
  name: DEPLOYMENT,
  read: async (ctx) => (await rolloutOnce(ctx)).deployment,
});
