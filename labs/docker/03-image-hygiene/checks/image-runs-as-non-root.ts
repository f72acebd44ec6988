import { defineCheck, imageRunsAsNonRootCheck } from '@mlops-lab/grader/authoring';
import { lab } from './shared.ts';

// CIS Docker Benchmark 4.1; dockle CIS-DI-0001. Mirrors: docker image inspect --format '{{.Config.User}}' screening
export default defineCheck(imageRunsAsNonRootCheck(lab));
