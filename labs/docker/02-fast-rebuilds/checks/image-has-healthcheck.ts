import { defineCheck, imageHasHealthcheckCheck } from '@mlops-lab/grader/authoring';
import { lab } from './shared.ts';

// Mirrors: docker image inspect --format '{{json .Config.Healthcheck}}' loan-api
export default defineCheck(imageHasHealthcheckCheck(lab));
