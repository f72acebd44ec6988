import { prometheusConfigIsValid } from '../../_shared/config-checks.ts';

export default prometheusConfigIsValid('monitoring/04-alert-fires');
