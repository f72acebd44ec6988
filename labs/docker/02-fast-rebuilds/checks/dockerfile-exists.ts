import { defineCheck, dockerfileExistsCheck } from '@mlops-lab/grader/authoring';
import { lab } from './shared.ts';

// Mirrors: docker build --check . (the Dockerfile is there and parses)
export default defineCheck(dockerfileExistsCheck(lab, { nextTo: 'app/ and requirements.lock' }));
