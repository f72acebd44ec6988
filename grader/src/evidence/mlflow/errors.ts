/** The errors of the MLflow client that callers may catch by class. */
import { EvidenceError } from '../../errors.ts';

export type MlflowErrorCode =
  | 'MLFLOW_URI_INVALID'
  | 'MLFLOW_UNREACHABLE'
  | 'MLFLOW_TIMEOUT'
  | 'MLFLOW_AUTH_REQUIRED'
  | 'MLFLOW_HOST_REJECTED'
  | 'NOT_MLFLOW'
  | 'MLFLOW_ENDPOINT_MISSING'
  | 'MLFLOW_NOT_FOUND'
  | 'MLFLOW_REQUEST_REJECTED'
  | 'MLFLOW_SERVER_ERROR'
  | 'MLFLOW_BAD_RESPONSE'
  | 'MLFLOW_RESPONSE_TOO_LARGE'
  | 'MLFLOW_TOO_MANY_RESULTS'
  | 'MLFLOW_BAD_PAGINATION';

/** MLflow answered with an error of its own (`error_code` + `message`). */
export class MlflowApiError extends EvidenceError {
  /** MLflow's error code, e.g. INVALID_PARAMETER_VALUE. */
  readonly errorCode: string;
  readonly status: number;

  constructor(code: MlflowErrorCode, errorCode: string, status: number, message: string, nextStep?: string) {
    super(code, message, nextStep);
    this.errorCode = errorCode;
    this.status = status;
  }
}

/** What was asked for does not exist (RESOURCE_DOES_NOT_EXIST, or an alias that is not set). */
export class MlflowNotFoundError extends MlflowApiError {
  /** What was looked up, e.g. `run 1234…` or `alias "champion" of model "iris"`. */
  readonly resource: string;

  constructor(resource: string, errorCode: string, status: number, serverMessage: string, nextStep?: string) {
    super('MLFLOW_NOT_FOUND', errorCode, status, `MLflow has no ${resource} (${serverMessage.replace(/\.$/, '')}).`, nextStep);
    this.resource = resource;
  }
}

/** The value of `promise`, or undefined when MLflow says it does not exist. Other errors pass through. */
export async function ifExists<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof MlflowNotFoundError) return undefined;
    throw error;
  }
}
