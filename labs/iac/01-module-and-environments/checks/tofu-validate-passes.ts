import { validatePasses } from '../../_shared/checks.ts';
import { ROOT } from './shared.ts';

export default validatePasses({ dir: ROOT, needs: ['module-is-called-from-the-root', 'providers-are-pinned'] });
