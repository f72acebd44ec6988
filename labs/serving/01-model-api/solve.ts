import { defineSolve } from '@mlops-lab/grader/authoring';
import { solveServingLab } from '../_shared/hooks.ts';

// What a learner does: write app/schemas.py, app/auth.py and the new app/main.py, and train the model if setup could not.
export default defineSolve(solveServingLab);
