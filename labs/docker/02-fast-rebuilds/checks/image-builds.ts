import { defineCheck, imageBuildsCheck } from '@mlops-lab/grader/authoring';
import { lab } from './shared.ts';

// Mirrors: docker build -t loan-api .
export default defineCheck(imageBuildsCheck(lab));
