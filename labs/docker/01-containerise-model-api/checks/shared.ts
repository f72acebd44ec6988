import { dockerLab } from '@mlops-lab/grader/authoring';

/** The grader's helpers for this lab: one build and one inspect per run, images tagged per workspace. */
export const lab = dockerLab({ imageRepo: 'mlops-lab/docker-01', imageName: 'loan-model' });
