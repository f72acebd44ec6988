import { prometheusConfigIsValid } from '../../_shared/config-checks.ts';

export default prometheusConfigIsValid('monitoring/02-alert-rules-promtool');
