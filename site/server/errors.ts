import { MlopsLabError, type ErrorKind } from '@mlops-lab/grader';
import { HttpError } from './http.ts';
import type { Logger } from './log.ts';

/** Status of an engine error whose code says more than its kind. */
const STATUS_BY_CODE: Record<string, number> = {
  LAB_UNKNOWN: 404,
  LAB_AMBIGUOUS: 404,
  WORKSPACE_MISSING: 409,
  WORKSPACE_NOT_EMPTY: 409,
  NOT_A_WORKSPACE: 409,
  STORE_LOCKED: 503,
  // The mentor store: a taken email or token is a conflict, not a server fault.
  MENTOR_EXISTS: 409,
  TOKEN_EXISTS: 409,
};

/** Status by kind: the learner's request (400), the server's own data or labs (500), the machine (503). */
const STATUS_BY_KIND: Record<ErrorKind, number> = {
  usage: 400,
  lab: 500,
  environment: 503,
  store: 500,
  internal: 500,
};

/**
 * Any thrown value as an HTTP answer. Engine errors keep their code,
 * message and next step (they are written for learners); anything else is
 * a generic 500 and the details go to the log only.
 */
export function toHttpError(error: unknown, log: Logger, context: Record<string, unknown> = {}): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof MlopsLabError) {
    const status = STATUS_BY_CODE[error.code] ?? STATUS_BY_KIND[error.kind] ?? 500;
    if (status >= 500) log.error('request failed', { ...context, code: error.code, error });
    return new HttpError(status, error.code, error.message, error.nextStep);
  }
  log.error('unexpected error', { ...context, error });
  return new HttpError(
    500,
    'INTERNAL',
    'The lab server hit an unexpected error; the details are in its log.',
    'Try again; if it keeps happening, report it with the lab server log.',
  );
}

/** The `{ code, message, nextStep }` of a failure, for an SSE `failed` event. Never blank. */
export function describeFailure(
  error: unknown,
  log: Logger,
  context: Record<string, unknown> = {},
): { code: string; message: string; nextStep?: string } {
  const http = toHttpError(error, log, context);
  return { code: http.code, message: http.message || 'Grading stopped.', ...(http.nextStep ? { nextStep: http.nextStep } : {}) };
}
