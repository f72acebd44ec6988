import { baseImageTagPinnedCheck, defineCheck } from '@mlops-lab/grader/authoring';
import { lab } from './shared.ts';

// dockle DKL-DI-0006 (avoid latest). Mirrors: grep -n '^FROM' Dockerfile
export default defineCheck(baseImageTagPinnedCheck(lab));
