/**
 * Errors the grader and CLI raise on purpose. Each has a stable `code`, a
 * message that says what happened, and a `nextStep` a person can act on.
 * Only the CLI entry catches them, prints them and picks the exit code.
 */
export type ErrorKind = 'usage' | 'lab' | 'environment' | 'store' | 'internal';

export class MlopsLabError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly nextStep: string | undefined;

  constructor(code: string, kind: ErrorKind, message: string, nextStep?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.kind = kind;
    this.nextStep = nextStep;
  }
}

/** The command line was wrong: unknown lab, bad flag, missing argument. */
export class UsageError extends MlopsLabError {
  constructor(code: string, message: string, nextStep?: string) {
    super(code, 'usage', message, nextStep);
  }
}

/** A lab folder is broken: bad manifest, missing files, a check that throws at load. */
export class LabDefinitionError extends MlopsLabError {
  constructor(code: string, message: string, nextStep?: string, options?: ErrorOptions) {
    super(code, 'lab', message, nextStep, options);
  }
}

/** A tool the lab needs is missing or not running (Docker, a cluster, Python tools). */
export class EnvironmentError extends MlopsLabError {
  constructor(code: string, message: string, nextStep?: string, options?: ErrorOptions) {
    super(code, 'environment', message, nextStep, options);
  }
}

/** The progress store could not be read or written safely. */
export class StoreError extends MlopsLabError {
  constructor(code: string, message: string, nextStep?: string, options?: ErrorOptions) {
    super(code, 'store', message, nextStep, options);
  }
}

/**
 * Evidence could not be gathered for a reason the learner's workspace
 * causes (file too large, a path that escapes the workspace). Checks turn
 * it into an `error` result with this message and next step.
 */
export class EvidenceError extends MlopsLabError {
  constructor(code: string, message: string, nextStep?: string, options?: ErrorOptions) {
    super(code, 'lab', message, nextStep, options);
  }
}

/** Exit codes of the mlops-lab CLI. */
export const ExitCode = {
  /** Every check passed (or the command succeeded). */
  ok: 0,
  /** Some checks failed. */
  checksFailed: 1,
  /** Usage error or a broken lab. */
  usage: 2,
  /** The environment is not ready (Docker down, tool missing). */
  environment: 3,
} as const;

export function exitCodeFor(error: unknown): number {
  if (error instanceof MlopsLabError) {
    if (error.kind === 'environment') return ExitCode.environment;
    return ExitCode.usage;
  }
  return ExitCode.usage;
}

/**
 * Codes of check errors that mean "the machine is not ready" rather than
 * "the learner's work is wrong"; `mlops-lab check` exits 3 on them.
 */
/**
 * Codes of errors that mean "the machine is not ready" (a tool, engine,
 * cluster, registry or server missing or unreachable): a check that ends in
 * one makes `mlops-lab check` exit with ExitCode.environment. Every code an
 * EnvironmentError is thrown with is listed (errors.test.ts keeps it so).
 */
const ENVIRONMENT_CODES = new Set([
  'PROMETHEUS_UNREACHABLE',
  'TOFU_TIMEOUT',
  'ALERTMANAGER_UNREACHABLE',
  'DOCKER_UNAVAILABLE',
  'DOCKER_TIMEOUT',
  'BASE_IMAGE_MISSING',
  'TOOL_MISSING',
  'TOOL_BROKEN',
  'PROCESS_FAILED',
  'PROBE_FAILED',
  'COMPOSE_MISSING',
  'HTTP_TIMEOUT',
  'CLUSTER_UNCONFIGURED',
  'CLUSTER_UNREACHABLE',
  'CLUSTER_TIMEOUT',
  'CLUSTER_API_ERROR',
  'CLUSTER_UNAUTHORIZED',
  'CLUSTER_FORBIDDEN',
  'KUBECONFIG_INVALID',
  'KIND_NOT_SERVED',
  'NAMESPACE_TERMINATING',
  'WAIT_TIMEOUT',
  'WAIT_ABORTED',
  'REGISTRY_UNAVAILABLE',
  'REGISTRY_ADDRESS_INVALID',
  'REGISTRY_DELETE_DISABLED',
  'REGISTRY_NEEDS_AUTH',
  'NOT_A_REGISTRY',
  'MLFLOW_UNREACHABLE',
  'MLFLOW_TIMEOUT',
  'MLFLOW_AUTH_REQUIRED',
  'MLFLOW_HOST_REJECTED',
  'MLFLOW_SERVER_ERROR',
  'MLFLOW_URI_INVALID',
  'MLFLOW_ENDPOINT_MISSING',
  'NOT_MLFLOW',
]);

export function isEnvironmentCode(code: string | undefined): boolean {
  return code !== undefined && ENVIRONMENT_CODES.has(code);
}
