import { defineCheck, imageRunsAsNonRootCheck } from '@mlops-lab/grader/authoring';
import { lab } from './shared.ts';

// Mirrors: docker image inspect --format '{{.Config.User}}' loan-model
export default defineCheck(imageRunsAsNonRootCheck(lab));
