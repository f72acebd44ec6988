/**
 * Errors of the cluster tooling. The cluster package does not depend on the
 * grader, so these carry what the grader's CLI needs to print them and pick
 * an exit code: a stable `code`, a `kind` (`usage`: the command line was
 * wrong, exit 2; `environment`: the cluster is not ready, exit 3) and a next
 * step a person can act on.
 */
export class ClusterError extends Error {
  readonly code: string;
  readonly kind: 'usage' | 'environment';
  readonly nextStep: string;

  constructor(code: string, kind: 'usage' | 'environment', message: string, nextStep: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ClusterError';
    this.code = code;
    this.kind = kind;
    this.nextStep = nextStep;
  }
}

/** True for a ClusterError, also across module copies (the grader loads this package lazily). */
export function isClusterError(error: unknown): error is ClusterError {
  return error instanceof Error && error.name === 'ClusterError' && typeof (error as ClusterError).code === 'string';
}
