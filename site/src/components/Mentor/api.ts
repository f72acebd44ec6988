/**
 * The mentor pages' HTTP client: same-origin requests that carry the
 * session cookie, the CSRF token on every POST, and one error type that
 * says what happened and what to do (a 401 sends the mentor back to the
 * login form; see `loginHref`).
 */

/** An error answer of the mentor API, or a failure to reach it. */
export class MentorApiError extends Error {
  readonly code: string;
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  readonly nextStep?: string;

  constructor(status: number, code: string, message: string, nextStep?: string) {
    super(message);
    this.name = 'MentorApiError';
    this.status = status;
    this.code = code;
    if (nextStep) this.nextStep = nextStep;
  }

  /** The session is missing or expired: the mentor must log in (again). */
  get needsLogin(): boolean {
    return this.status === 401;
  }
}

const JSON_HEADERS = { accept: 'application/json' } as const;

/** Reads an answer: the JSON body when it is OK, else a MentorApiError built from the server's `{ error }` (or the bare status). */
export async function readAnswer<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string; nextStep?: string } } | undefined)?.error;
    if (error?.code && error.message) throw new MentorApiError(response.status, error.code, error.message, error.nextStep);
    throw fallbackError(response.status);
  }
  return body as T;
}

function fallbackError(status: number): MentorApiError {
  if (status === 401) return new MentorApiError(401, 'SESSION_REQUIRED', 'Your session has ended.', 'Log in again.');
  if (status === 404) return new MentorApiError(404, 'NOT_FOUND', 'Not found, or not one of your cohorts.', 'Go back to your cohorts.');
  return new MentorApiError(
    status,
    `HTTP_${status}`,
    `The mentor server answered ${status}.`,
    'Reload the page; if it persists, look at the server’s log.',
  );
}

function unreachable(): MentorApiError {
  return new MentorApiError(
    0,
    'SERVER_UNREACHABLE',
    'The mentor server is not reachable.',
    'Check your connection and that the server runs, then reload this page.',
  );
}

export async function mentorGet<T>(path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: JSON_HEADERS, credentials: 'same-origin' });
  } catch {
    throw unreachable();
  }
  return readAnswer<T>(response);
}

/** A POST with a JSON body; `csrfToken` is the session's (from the login answer or GET /api/mentor/session). */
export async function mentorPost<T>(path: string, body: unknown, csrfToken?: string): Promise<T> {
  const headers: Record<string, string> = { ...JSON_HEADERS, 'content-type': 'application/json' };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, { method: 'POST', headers, credentials: 'same-origin', body: JSON.stringify(body) });
  } catch {
    throw unreachable();
  }
  return readAnswer<T>(response);
}

/** The login page, coming back to `next` (a path on this site) afterwards. */
export function loginHref(next?: string): string {
  return next ? `/mentor/?next=${encodeURIComponent(next)}` : '/mentor/';
}

/** Where to go after logging in: `next` when it is a mentor page of this site, else the cohorts list. */
export function safeNext(next: string | null | undefined): string | undefined {
  if (!next || !next.startsWith('/mentor/') || next.startsWith('//') || next.includes('\\')) return undefined;
  return next;
}

export const mentorPaths = {
  login: '/api/mentor/login',
  logout: '/api/mentor/logout',
  session: '/api/mentor/session',
  cohorts: '/api/mentor/cohorts',
  cohort: (id: string) => `/api/mentor/cohorts/${encodeURIComponent(id)}`,
  learners: (cohortId: string) => `/api/mentor/cohorts/${encodeURIComponent(cohortId)}/learners`,
  exportCsv: (id: string) => `/api/mentor/cohorts/${encodeURIComponent(id)}/export.csv`,
  timeline: (learnerId: string) => `/api/mentor/learners/${encodeURIComponent(learnerId)}/attempts`,
  capstoneReport: (learnerId: string) => `/api/mentor/learners/${encodeURIComponent(learnerId)}/capstone-report`,
};

export const pageHref = {
  cohort: (id: string) => `/mentor/cohort/?id=${encodeURIComponent(id)}`,
  learner: (id: string, cohortId?: string) =>
    `/mentor/learner/?id=${encodeURIComponent(id)}${cohortId ? `&cohort=${encodeURIComponent(cohortId)}` : ''}`,
};
