/**
 * The lab authoring API: what a lab folder imports to declare its manifest,
 * its checks and its solve step. See ARCHITECTURE.md, "The lab format".
 */
export { defineCheck, defineLab, defineSolve } from './lab/define.ts';
export { fail, pass } from './lab/context.ts';
export type { CheckContext, CheckOutcome, Evidence, LabHookContext, SolveContext, WorkspaceInfo } from './lab/context.ts';
export type { CheckDefinitionInput, LabManifestInput, StageId, ToolId } from './lab/schema.ts';
export { readDockerfile, parseDockerfile } from './evidence/dockerfile.ts';
export type { DockerfileModel, DockerfileStage, DockerfileInstruction, DockerfileVariable } from './evidence/dockerfile.ts';
export { LABEL_LAB, LABEL_WORKSPACE } from './evidence/docker.ts';
export type { BuildResult, HealthOutcome, ImageInfo } from './evidence/docker.ts';
export { formatBytes } from './evidence/files.ts';
export { EvidenceError } from './errors.ts';
