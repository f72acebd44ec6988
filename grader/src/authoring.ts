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
export type { BuildStep, HistoryEntry, LayerFileCandidate, LayerFinding, LayerScan, ScannedLayer } from './evidence/docker.ts';
export { buildContextEntries, buildContextFiles } from './evidence/docker.ts';
export { dockerLab, type DockerLab, type DockerLabOptions } from './authoring/docker-lab.ts';
export * from './authoring/docker-checks.ts';
export { formatBytes } from './evidence/files.ts';
export { EvidenceError } from './errors.ts';
export {
  labNamespace,
  labNamespaceLabels,
  kubeLabHooks,
  ensureLabNamespace,
  deleteLabNamespace,
  describeApiError,
  apiMessage,
} from './evidence/kube/namespace.ts';
export { applyManifests, waitFor, FIELD_MANAGER } from './evidence/kube/apply.ts';
export type { KubeObject } from './evidence/kube/apply.ts';
export { readManifests, parseManifests, formatPath, MANIFEST_LIMITS } from './evidence/kube/manifests.ts';
export type { ManifestObject, ManifestProblem, ManifestSet } from './evidence/kube/manifests.ts';
export { apiStatus, loadKubernetesClient } from './evidence/kube.ts';
export type { KubeEvidence } from './evidence/kube.ts';
export {
  RegistryEvidence,
  registryAddress,
  REGISTRY_ENV,
  DEFAULT_REGISTRY,
  REGISTRY_HINT,
  tagImage,
  pushImage,
  pullImage,
  localReferences,
  removeLocalReferences,
} from './evidence/registry.ts';
export type { ManifestInfo, BlobStatus } from './evidence/registry.ts';
export {
  readComposeFile,
  parseComposeFile,
  findComposeFile,
  findComposeCli,
  interpolations,
  interpolate,
  projectContainers,
  projectsStartedIn,
  networkLabels,
  listComposeProject,
  removeComposeProject,
  COMPOSE_LABEL,
  COMPOSE_LIMITS,
  COMPOSE_HINT,
} from './evidence/compose.ts';
export type {
  ComposeModel,
  ComposeService,
  ComposePort,
  ComposeEnvVar,
  ComposeDependency,
  ComposeCli,
  ComposeLeftovers,
} from './evidence/compose.ts';
