import { containerReportsHealthyCheck, defineCheck } from '@mlops-lab/grader/authoring';
import { lab } from './shared.ts';

// A HEALTHCHECK that cannot pass (curl is not in the slim image) is worse than none: the service is never "healthy".
// Mirrors: docker run -d screening; docker inspect --format '{{.State.Health.Status}}' <container>
export default defineCheck(containerReportsHealthyCheck(lab, { env: () => ({}) }));
