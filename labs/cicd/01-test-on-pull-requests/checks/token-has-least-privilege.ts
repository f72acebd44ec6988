import { tokenIsLeastPrivilege } from '../../_shared/workflow.ts';
import { FILE, LAB_ID } from './shared.ts';

export default tokenIsLeastPrivilege({ labId: LAB_ID, file: FILE });
