import { defineLab } from '@mlops-lab/grader/authoring';
import actionsArePinned from './checks/actions-are-pinned-to-a-commit-sha.ts';
import modelIsUploaded from './checks/model-is-uploaded-as-an-artifact.ts';
import retrainByHand from './checks/retrain-can-be-started-by-hand.ts';
import retrainOnSchedule from './checks/retrain-runs-on-a-schedule.ts';
import retrainOnDataChange from './checks/retrain-runs-when-data-changes.ts';
import retrainsDoNotOverlap from './checks/retrains-do-not-overlap.ts';
import tokenHasLeastPrivilege from './checks/token-has-least-privilege.ts';
import workflowIsValid from './checks/workflow-is-valid.ts';

export default defineLab({
  id: 'cicd/02-retrain-on-schedule-and-data-change',
  version: '1.0.0',
  title: 'Retrain on a schedule and when the data changes',
  stage: 'cicd',
  summary:
    'A retrain workflow that runs weekly, by hand, and when a push changes the DVC-tracked data or params (not on every push), one at a time, keeping the model as an artifact.',
  minutes: 40,
  difficulty: 'intermediate',
  skills: ['pipeline-orchestration'],
  needs: [],
  checks: [
    workflowIsValid,
    retrainOnSchedule,
    retrainByHand,
    retrainOnDataChange,
    retrainsDoNotOverlap,
    modelIsUploaded,
    tokenHasLeastPrivilege,
    actionsArePinned,
  ],
  defaults: { timeoutMs: 20_000 },
  contract: {
    starterFails: [
      'retrain-runs-on-a-schedule',
      'retrain-can-be-started-by-hand',
      'retrain-runs-when-data-changes',
      'retrains-do-not-overlap',
      'model-is-uploaded-as-an-artifact',
    ],
  },
});
