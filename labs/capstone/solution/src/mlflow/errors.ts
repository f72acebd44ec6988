/** What can go wrong talking to MLflow; `code` is stable, the message says what to do next. */
export type MlflowErrorCode =
  /** MLFLOW_TRACKING_URI is unset or not an http(s) URL. */
  | 'MLFLOW_URI_INVALID'
  /** Nothing answers at the tracking URI (refused, DNS). */
  | 'MLFLOW_UNREACHABLE'
  | 'MLFLOW_TIMEOUT'
  /** 401 or 403. */
  | 'MLFLOW_AUTH_REQUIRED'
  /** MLflow answered with an error (`apiCode` holds its error_code, e.g. RESOURCE_DOES_NOT_EXIST). */
  | 'MLFLOW_REQUEST_REJECTED'
  | 'MLFLOW_SERVER_ERROR'
  /** Not JSON, or not the shape MLflow sends. */
  | 'MLFLOW_BAD_RESPONSE'
  /** The run's artifact root is on a store this client cannot write or read (s3:, gs:, …). */
  | 'MLFLOW_ARTIFACT_STORE_UNSUPPORTED';

export class MlflowError extends Error {
  readonly code: MlflowErrorCode;
  /** MLflow's own error_code when the server answered with one. */
  readonly apiCode: string | undefined;
  readonly status: number | undefined;
  constructor(code: MlflowErrorCode, message: string, details: { apiCode?: string; status?: number; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'MlflowError';
    this.code = code;
    this.apiCode = details.apiCode;
    this.status = details.status;
  }

  /** RESOURCE_DOES_NOT_EXIST (MLflow answers an unknown alias with INVALID_PARAMETER_VALUE "alias … not found"). */
  get notFound(): boolean {
    return (
      this.apiCode === 'RESOURCE_DOES_NOT_EXIST' || (this.apiCode === 'INVALID_PARAMETER_VALUE' && /alias .* not found/i.test(this.message))
    );
  }
}
