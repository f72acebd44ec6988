export const LAB_ID = 'kubernetes/01-deploy-model-api';
