import { defineSolve } from '@mlops-lab/grader/authoring';
import { solveServingLab } from '../_shared/hooks.ts';

// What a learner does: fetch the model once in the lifespan handler instead of on every request.
export default defineSolve(solveServingLab);
