/** The error shape every /api endpoint returns, and what the UI shows. */
export interface ApiError {
  code: string;
  message: string;
  nextStep?: string;
}

async function parse<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body as { error?: ApiError } | undefined)?.error;
    throw error ?? { code: `HTTP_${response.status}`, message: `The lab server answered ${response.status}.`, nextStep: 'Is `npm start` running?' };
  }
  return body as T;
}

function unreachable(): ApiError {
  return { code: 'SERVER_UNREACHABLE', message: 'The lab server is not reachable.', nextStep: 'Start it with `npm start` in the MLOps Lab folder, then reload this page.' };
}

export async function apiGet<T>(path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: 'application/json' } });
  } catch {
    throw unreachable();
  }
  return parse<T>(response);
}

/** A state-changing request: JSON body, same origin (the server refuses others). */
export async function apiSend<T>(path: string, method: 'POST' | 'PUT', body: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { method, headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
  } catch {
    throw unreachable();
  }
  return parse<T>(response);
}
