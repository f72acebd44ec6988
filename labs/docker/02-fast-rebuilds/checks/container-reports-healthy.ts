import { containerReportsHealthyCheck, defineCheck } from '@mlops-lab/grader/authoring';
import { lab } from './shared.ts';

// Mirrors: docker run -d loan-api; docker inspect --format '{{.State.Health.Status}}' <container>
// After reordering the Dockerfile the API must still start and import its dependencies.
export default defineCheck(containerReportsHealthyCheck(lab, { env: () => ({}) }));
