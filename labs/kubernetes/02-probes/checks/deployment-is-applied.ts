import { deploymentIsApplied } from '../../_shared/deployment.ts';
import { LAB_ID } from './shared.ts';

export default deploymentIsApplied(LAB_ID);
