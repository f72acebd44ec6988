/**
 * HTTP Basic authentication for the serving endpoint. The credentials come
 * from the environment (SERVING_USERNAME, SERVING_PASSWORD) and there is no
 * default password: a server that would otherwise start wide open refuses to
 * start. Comparisons go through SHA-256 digests and `timingSafeEqual`, so the
 * time an answer takes says nothing about how much of a guess was right
 * (not even its length).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface Credentials {
  username: string;
  password: string;
}

/** Why the credentials cannot be used; the message says which variable to set. */
export class CredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsError';
  }
}

/** Shortest password accepted: a guessable one is refused at start, not discovered later. */
export const MIN_PASSWORD_LENGTH = 8;

/** The credentials from SERVING_USERNAME and SERVING_PASSWORD; throws when either is missing or the password is short. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): Credentials {
  const username = env.SERVING_USERNAME ?? '';
  const password = env.SERVING_PASSWORD ?? '';
  if (username === '' || password === '') {
    const missing = [username === '' ? 'SERVING_USERNAME' : '', password === '' ? 'SERVING_PASSWORD' : ''].filter(Boolean).join(' and ');
    throw new CredentialsError(
      `${missing} ${missing.includes(' and ') ? 'are' : 'is'} not set: the server has no default password and will not start without one. ` +
        `Set both, e.g. export SERVING_USERNAME=mlops SERVING_PASSWORD="$(openssl rand -hex 16)"`,
    );
  }
  if (username.includes(':'))
    throw new CredentialsError('SERVING_USERNAME must not contain ":" (Basic auth separates user and password with it)');
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new CredentialsError(`SERVING_PASSWORD has ${password.length} characters; use at least ${MIN_PASSWORD_LENGTH}`);
  }
  return { username, password };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Equal-length digests compared in constant time. */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** The user and password of an `Authorization: Basic …` header, or null when it is absent or not Basic. */
export function parseBasicAuth(header: string | undefined): Credentials | null {
  if (!header) return null;
  const match = /^Basic\s+([A-Za-z0-9+/=]{1,1024})\s*$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Whether the header carries exactly these credentials (both parts always compared, in constant time). */
export function isAuthorized(header: string | undefined, expected: Credentials): boolean {
  const given = parseBasicAuth(header);
  if (!given) return false;
  const userOk = sameSecret(given.username, expected.username);
  const passwordOk = sameSecret(given.password, expected.password);
  return userOk && passwordOk;
}

/** The header value a client sends. */
export function basicAuthHeader(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}
