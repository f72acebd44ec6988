import { defineCheck, imageBuildsCheck } from '@mlops-lab/grader/authoring';
import { lab } from './shared.ts';

// Mirrors: docker build -t screening .
export default defineCheck(imageBuildsCheck(lab));
