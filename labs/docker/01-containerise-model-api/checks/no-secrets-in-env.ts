import { defineCheck, noSecretsInEnvCheck } from '@mlops-lab/grader/authoring';
import { lab } from './shared.ts';

// Mirrors: grep -nE '^(ENV|ARG)' Dockerfile
export default defineCheck(noSecretsInEnvCheck(lab));
