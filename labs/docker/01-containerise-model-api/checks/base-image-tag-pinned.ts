import { baseImageTagPinnedCheck, defineCheck } from '@mlops-lab/grader/authoring';
import { lab } from './shared.ts';

// Mirrors: grep -n '^FROM' Dockerfile
export default defineCheck(baseImageTagPinnedCheck(lab));
