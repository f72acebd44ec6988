import { tokenIsLeastPrivilege } from '../../_shared/workflow.ts';
import { FILE, LAB_ID } from './shared.ts';

// The labeler writes labels on pull requests; nothing else writes.
export default tokenIsLeastPrivilege({ labId: LAB_ID, file: FILE, allowedWrites: { label: ['pull-requests'] } });
