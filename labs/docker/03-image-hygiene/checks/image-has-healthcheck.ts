import { defineCheck, imageHasHealthcheckCheck } from '@mlops-lab/grader/authoring';
import { lab } from './shared.ts';

// CIS Docker Benchmark 4.6; dockle CIS-DI-0006. Mirrors: docker image inspect --format '{{json .Config.Healthcheck}}' screening
export default defineCheck(imageHasHealthcheckCheck(lab));
