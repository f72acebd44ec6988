import { secretsComeFromSecretsContext } from '../../_shared/workflow.ts';
import { FILE, LAB_ID } from './shared.ts';

export default secretsComeFromSecretsContext({ labId: LAB_ID, file: FILE });
