/** Per-learner provisioning: `@mlops-lab/cluster/provision` (the grader's `mlops-lab cluster` command loads it). */
export { ClusterError, isClusterError } from './errors.ts';
export { LEARNER_NAME_MAX, isDns1123Label, learnerId, learnerNamespace, learnerSlug, normalizeLearner } from './names.ts';
export {
  ANNOTATION_LEARNER,
  DEFAULT_WORKSPACE_IMAGE,
  LABEL_LEARNER_ID,
  LABEL_MANAGED_BY,
  LEARNER_CLUSTER_ROLE,
  SERVICES_NAMESPACE,
  SYSTEM_NAMESPACE,
  WORKSPACE_NAME,
  WORKSPACE_SERVICE_ACCOUNT,
  learnerClusterRole,
  learnerObjects,
} from './objects.ts';
export type { KubeObject, ProvisionOptions } from './objects.ts';
export {
  FIELD_MANAGER,
  applyObjects,
  assertRights,
  MIN_KUBERNETES,
  callApi,
  contains,
  deprovisionLearner,
  parseVersion,
  provisionLearner,
  statusOf,
  supportedServerVersion,
} from './provision.ts';
export type { ClusterCallOptions, ObjectAction, ObjectOutcome, ProvisionResult } from './provision.ts';
export { toYaml } from './yaml.ts';
export { LAB_SERVICES } from './services.ts';
export type { LabService } from './services.ts';
export { formatProblems, validateObjects } from '../validate.ts';
export type { ObjectProblem } from '../validate.ts';
