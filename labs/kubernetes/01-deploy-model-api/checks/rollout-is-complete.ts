import { rolloutIsComplete } from '../../_shared/deployment.ts';

export default rolloutIsComplete();
