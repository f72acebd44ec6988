import { manifestsAreValid } from '../../_shared/manifests-are-valid.ts';
import { CRONJOB } from './shared.ts';

export default manifestsAreValid({
  labId: 'kubernetes/08-scheduled-retraining-cronjob',
  title: 'The manifests in k8s/ are valid and describe the CronJob',
  expectedFiles: ['k8s/cronjob.yaml'],
  requires: [{ kind: 'CronJob', name: CRONJOB, what: `the CronJob ${CRONJOB}` }],
});
