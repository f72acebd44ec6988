import { actionsArePinned } from '../../_shared/workflow.ts';
import { FILE, LAB_ID } from './shared.ts';

export default actionsArePinned({ labId: LAB_ID, file: FILE });
