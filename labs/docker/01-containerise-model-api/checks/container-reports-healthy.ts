import { containerReportsHealthyCheck, defineCheck } from '@mlops-lab/grader/authoring';
import { lab } from './shared.ts';

// Mirrors: docker run -d -e MODEL_API_KEY=… loan-model; docker inspect --format '{{.State.Health.Status}}' <container>
export default defineCheck(containerReportsHealthyCheck(lab));
