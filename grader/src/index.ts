/**
 * The grader engine API, used by the CLI and the lab server: load labs,
 * manage workspaces, grade, and read and write the progress store.
 */
export { loadAllLabs, loadLab, findLab, discoverLabDirs, loadInstructions, knownSkillIds } from './lab/load.ts';
export type { LoadedLab, InstructionStep } from './lab/load.ts';
export { LabManifestSchema, CheckDefinitionSchema, STAGE_IDS, TOOL_IDS } from './lab/schema.ts';
export type { LabManifest, StageId, ToolId } from './lab/schema.ts';
export { createWorkspace, resolveWorkspace, removeWorkspace, readMarker, workspaceId, MARKER_FILE } from './lab/workspace.ts';
export { applySolution, cleanupLab, setupLab } from './lab/lifecycle.ts';
export { runLab, createEvidence } from './runner/run.ts';
export { DockerEvidence, LABEL_LAB, LABEL_WORKSPACE } from './evidence/docker.ts';
export { WorkspaceFiles } from './evidence/files.ts';
export { HttpEvidence } from './evidence/http.ts';
export { KubeEvidence } from './evidence/kube.ts';
export { MlflowEvidence, MlflowApiError, MlflowNotFoundError, collect, ifExists } from './evidence/mlflow.ts';
export { ProcessEvidence } from './evidence/process.ts';
export { ProgressStore } from './store/store.ts';
export type { AttemptFilter, NewLabEvent } from './store/store.ts';
export type { StoreData, LabEvent } from './store/schema.ts';
export { deriveProgress } from './store/progress.ts';
export type { Progress, LabProgress, StageProgress } from './store/progress.ts';
export type { RunLabOptions } from './runner/run.ts';
export { AttemptResultSchema, CheckResultSchema, RESULT_SCHEMA_VERSION, overallStatus } from './result/schema.ts';
export type { AttemptResult, CheckResult, CheckStatus } from './result/schema.ts';
export { toJUnitXml } from './result/junit.ts';
export { probeTool, probeTools, defaultProbeDeps } from './doctor/probes.ts';
export type { ToolStatus } from './doctor/probes.ts';
export { buildDoctorReport, nodeVersionOk, toolsNeeded, NODE_MIN } from './doctor/report.ts';
export type { DoctorReport, DoctorReportOptions, LabReadiness, ImageStatus, MissingRequirement } from './doctor/report.ts';
export { SettingsStore, settingsFile } from './settings/settings.ts';
export {
  LEARNING_PATH_IDS,
  LearningPathIdSchema,
  LearnerPreferencesSchema,
  LearnerSettingsSchema,
  PreferencesPatchSchema,
  SettingsDataSchema,
  SETTINGS_FORMAT,
  SETTINGS_VERSION,
  HOURS_PER_WEEK,
} from './settings/schema.ts';
export type { LearningPathId, LearnerPreferences, LearnerSettings, PreferencesPatch, SettingsData } from './settings/schema.ts';
export * from './errors.ts';
export { dataHome, storeFile, labsDir, repoRoot, defaultWorkspaceDir } from './paths.ts';
export { graderVersion } from './version.ts';
export { currentLearner } from './learner.ts';
// Readiness (issue 10): per-skill readiness from verified passes, stage completion, the capstone's
// portfolio checklist and maturity level, and the path-aware plan (grader/src/readiness/).
export * from './readiness/index.ts';
// The verified capstone report (issue 8): figures with provenance and the resume bullet (grader/src/report/).
export * from './report/index.ts';
