/** Which tracking server the grader reads, from the environment MLflow's own client reads. */
import { EnvironmentError } from '../../errors.ts';

export const TRACKING_URI_ENV = 'MLFLOW_TRACKING_URI';
export const DEFAULT_TRACKING_URI = 'http://127.0.0.1:5000';

/** How to start the server the labs expect (a database backend and an artifact root). */
export const START_SERVER_COMMAND =
  'mlflow server --backend-store-uri sqlite:///mlflow.db --default-artifact-root ./mlartifacts --host 127.0.0.1 --port 5000';

export interface TrackingServer {
  /** The URL without credentials (they move to `auth`), query or trailing slash, e.g. `http://127.0.0.1:5000`. */
  uri: string;
  auth?: { username: string; password: string } | { token: string };
}

/**
 * The tracking server from the environment: MLFLOW_TRACKING_URI (default
 * http://127.0.0.1:5000), credentials from the URL or from
 * MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD / MLFLOW_TRACKING_TOKEN.
 */
export function trackingServer(env: NodeJS.ProcessEnv = process.env, uriOverride?: string): TrackingServer {
  const raw = (uriOverride ?? env[TRACKING_URI_ENV] ?? '').trim() || DEFAULT_TRACKING_URI;
  const nextStep =
    `Start a tracking server (\`${START_SERVER_COMMAND}\`) and point the grader at it: ` +
    `\`export ${TRACKING_URI_ENV}=${DEFAULT_TRACKING_URI}\`.`;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1]?.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') {
    const local = scheme === undefined || scheme === 'file' || /^(sqlite|postgresql|mysql|mssql)/.test(scheme);
    throw new EnvironmentError(
      'MLFLOW_URI_INVALID',
      local
        ? `${TRACKING_URI_ENV}=${raw} is a local store; the grader reads MLflow through a tracking server over HTTP.`
        : `${TRACKING_URI_ENV}=${raw} is not an http(s) URL of an MLflow tracking server.`,
      local
        ? `Serve that store: \`mlflow server --backend-store-uri ${raw} --host 127.0.0.1 --port 5000\`, then \`export ${TRACKING_URI_ENV}=${DEFAULT_TRACKING_URI}\`.`
        : nextStep,
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EnvironmentError('MLFLOW_URI_INVALID', `${TRACKING_URI_ENV}=${raw} is not a valid URL.`, nextStep);
  }
  let auth: TrackingServer['auth'];
  if (url.username || url.password) {
    auth = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    url.username = '';
    url.password = '';
  } else if (env.MLFLOW_TRACKING_USERNAME || env.MLFLOW_TRACKING_PASSWORD) {
    auth = { username: env.MLFLOW_TRACKING_USERNAME ?? '', password: env.MLFLOW_TRACKING_PASSWORD ?? '' };
  } else if (env.MLFLOW_TRACKING_TOKEN) {
    auth = { token: env.MLFLOW_TRACKING_TOKEN };
  }
  url.search = '';
  url.hash = '';
  const uri = url.href.replace(/\/+$/, '');
  return { uri, ...(auth ? { auth } : {}) };
}
