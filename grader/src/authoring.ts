/**
 * The lab authoring API: what a lab folder imports to declare its manifest,
 * its checks and its solve step. See ARCHITECTURE.md, "The lab format".
 */
export { defineCheck, defineLab, defineSolve } from './lab/define.ts';
export { fail, pass } from './lab/context.ts';
export type { CheckContext, CheckFigures, CheckOutcome, Evidence, LabHookContext, SolveContext, WorkspaceInfo } from './lab/context.ts';
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
export {
  readWorkflow,
  parseWorkflowText,
  parseGuardedYaml,
  listWorkflowFiles,
  formatYamlPath,
  WORKFLOW_LIMITS,
  WORKFLOWS_DIR,
} from './evidence/workflow.ts';
export type { WorkflowModel, WorkflowJob, WorkflowStep, WorkflowProblem, GuardedYaml, YamlPath } from './evidence/workflow.ts';
export { GitRepo, GIT_LIMITS, LAB_GIT_IDENTITY } from './evidence/git.ts';
export {
  DvcRepo,
  DVC_LIMITS,
  readDvcFile,
  readPipeline,
  readLock,
  readParams,
  parseYamlAs,
  parseDvcYaml,
  DvcFileSchema,
  LockSchema,
  PipelineSchema,
  entryPaths,
  declaredParams,
  paramIsDeclared,
  paramValue,
  md5OfWorkspaceFile,
  remoteObjectPath,
} from './evidence/dvc.ts';
export type { DvcFile, DvcLock, DvcPipeline, DvcRemote, DvcStage } from './evidence/dvc.ts';
export { MlflowLabSupport, type LoggedModelFile } from './evidence/mlflow/lab-support.ts';
export { MlflowNotFoundError, ifExists } from './evidence/mlflow.ts';
export type { Experiment, LoggedModel, ModelVersion, RegisteredModel, Run } from './evidence/mlflow.ts';
// A learner's service started from the workspace Procfile on a free loopback port (serving and monitoring labs).
export { freeLoopbackPort, parseProcfile, startService, stopWorkspaceServices, workspaceService, PROCFILE } from './evidence/service.ts';
export type { Procfile, ProcfileEntry, RunningService, ServiceExit, StartServiceOptions, WorkspaceServiceOptions } from './evidence/service.ts';
// Serving stage: the bounded load generator (grader/src/evidence/load.ts).
export { runLoadTest, describeLoadResult, percentile, summarizeLatencies, LOAD_ERROR_KINDS, LOAD_LIMITS } from './evidence/load.ts';
export type { LoadTestOptions, LoadTestResult, LoadErrorKind, LatencySummary } from './evidence/load.ts';
// Monitoring stage: Prometheus exposition, promtool, a real Prometheus and Alertmanager per grading run (grader/src/evidence/prometheus.ts).
export {
  parseExposition,
  histogramProblems,
  histogramSeries,
  samplesOf,
  sumOf,
  seriesKey,
  EXPOSITION_LIMITS,
  promtoolCheckConfig,
  promtoolCheckRules,
  promtoolTestRules,
  parseRuleTestFailures,
  describeFailure,
  readWorkspaceYaml,
  rewritePrometheusConfig,
  startPrometheus,
  PrometheusClient,
  rewriteAlertmanagerConfig,
  startAlertmanager,
  startWebhookReceiver,
  findAlertmanager,
  AlertmanagerClient,
  ALERTMANAGER_PROGRAMS,
  stopWorkspaceDaemons,
} from './evidence/prometheus.ts';
export type {
  Exposition,
  MetricFamily,
  MetricType,
  Sample,
  HistogramSeries,
  PromtoolCheck,
  RuleTestFailure,
  RuleTestReport,
  RunningPrometheus,
  PrometheusTarget,
  PrometheusAlert,
  PrometheusRuleGroup,
  VectorSample,
  RunningAlertmanager,
  WebhookReceiver,
  WebhookDelivery,
  WebhookAlert,
  AlertmanagerAlert,
} from './evidence/prometheus.ts';
// Infrastructure as code: Terraform/OpenTofu HCL read with a real parser (grader/src/evidence/hcl.ts) and tofu run by argv (evidence/tofu.ts).
export {
  parseHcl,
  readHclFile,
  readTfModule,
  readTfvars,
  readTfTestFile,
  testFileFromJson,
  parseHclErrors,
  formatHclProblem,
  isPinnedConstraint,
  unwrapExpression,
  expressionText,
  blockLine,
  HclSyntaxError,
  HCL_LIMITS,
} from './evidence/hcl.ts';
export type {
  HclLocation,
  HclProblem,
  TfModule,
  TfVariable,
  TfValidation,
  TfOutput,
  TfModuleCall,
  TfRequiredProvider,
  TfResource,
  TfBackend,
  TfTestFile,
  TfTestRun,
  TfTestAssert,
} from './evidence/hcl.ts';
export {
  Tofu,
  TOFU_LIMITS,
  findTofu,
  describeTofu,
  tofuEnv,
  tofuCliConfigFile,
  tofuShareDir,
  formatDiagnostic,
  parseValidateJson,
  parseTestJson,
} from './evidence/tofu.ts';
export type { TofuProgram, TofuDiagnostic, TofuValidation, TofuPlan, TofuTestResult, TofuTestRunResult } from './evidence/tofu.ts';
// Drift and dashboards (monitoring/03, /05, the capstone): PromQL read with Prometheus's own grammar (grader/src/authoring/promql.ts).
export { parsePromql, substituteGrafanaVariables, functionName, aggregation, keepsLabel, PROMQL_MAX_LENGTH } from './authoring/promql.ts';
export type { PromqlQuery, PromqlNode, PromqlError, PromqlSelector } from './authoring/promql.ts';
