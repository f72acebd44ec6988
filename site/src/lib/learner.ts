import { ProgressStore, currentLearner, deriveProgress, loadAllLabs, storeFile, type AttemptResult, type Progress } from '@mlops-lab/grader';

export interface LearnerView {
  learner: string;
  progress: Progress;
  attempts: AttemptResult[];
}

/**
 * What the learner pages render on the server: progress derived from the
 * attempts in the store (the same store the CLI writes), for this learner.
 */
export async function learnerView(): Promise<LearnerView> {
  const learner = currentLearner();
  const labs = await loadAllLabs();
  const data = await ProgressStore.open(storeFile()).read();
  const progress = deriveProgress(data, { learner, labs: labs.map((l) => ({ id: l.manifest.id, stage: l.manifest.stage, title: l.manifest.title })) });
  return { learner, progress, attempts: data.attempts.filter((a) => a.learner === learner) };
}
