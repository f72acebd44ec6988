import type { CheckDefinitionInput, LabManifestInput, SolveFn } from './schema.ts';

/**
 * Declares a lab. Validation happens when the lab is loaded, so the error
 * can name the lab folder and the field (see `loadLab`).
 */
export function defineLab(manifest: LabManifestInput): LabManifestInput {
  return manifest;
}

/** Declares one check of a lab: a statement about the learner's work that is true or false. */
export function defineCheck(check: CheckDefinitionInput): CheckDefinitionInput {
  return check;
}

/** Declares a lab's `solve.ts`: what a learner does with `solution/`, automated. */
export function defineSolve(solve: SolveFn): SolveFn {
  return solve;
}
