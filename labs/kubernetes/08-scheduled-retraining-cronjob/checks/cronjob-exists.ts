import { objectExists } from '../../_shared/object-exists.ts';
import { CRONJOB, liveCronJob } from './shared.ts';

export default objectExists({
  id: 'cronjob-exists',
  kind: 'CronJob',
  name: CRONJOB,
  read: liveCronJob,
  consequence: '; if `kubectl apply` refused it, its error names the field.',
});
