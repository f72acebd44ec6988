export const LAB_ID = 'cicd/02-retrain-on-schedule-and-data-change';
export const FILE = '.github/workflows/retrain.yml';
