import { workflowIsValid } from '../../_shared/workflow.ts';
import { FILE, LAB_ID } from './shared.ts';

export default workflowIsValid({ labId: LAB_ID, file: FILE });
