import { tokenIsLeastPrivilege } from '../../_shared/workflow.ts';
import { FILE, LAB_ID } from './shared.ts';

// A deploy job may mint an OIDC token for the cloud and record a deployment; nothing else writes.
export default tokenIsLeastPrivilege({ labId: LAB_ID, file: FILE, allowedWrites: { deploy: ['id-token', 'deployments'] } });
