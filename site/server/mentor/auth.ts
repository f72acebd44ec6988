/**
 * Mentor authentication: scrypt password hashes, login throttling per
 * email, session cookies (only their sha256 is stored), the per-session
 * CSRF token, and learner sync tokens (only their sha256 is stored).
 */
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from '../http.ts';

/** The session cookie's name. */
export const SESSION_COOKIE = 'mlops_mentor_session';
/** How long a session lasts after login. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Failed logins for one email within THROTTLE_WINDOW_MS before further tries are refused. */
export const THROTTLE_MAX_FAILURES = 5;
export const THROTTLE_WINDOW_MS = 10 * 60 * 1000;

/** scrypt cost parameters; stored with every hash, so raising them later keeps old hashes verifiable. */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1, keyLength: 32 } as const;
const SCRYPT_PREFIX = 'scrypt';

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** scrypt needs 128·N·r bytes; the default cap (32 MiB) is just enough for N=2^15, so say what is needed. */
function scryptOptions(N: number, r: number, p: number): ScryptOptions {
  return { N, r, p, maxmem: 128 * N * r * 2 };
}

/**
 * A password as `scrypt$<N>$<r>$<p>$<salt base64url>$<key base64url>`: a
 * fresh 16-byte salt per password, the parameters kept with the hash.
 */
export async function hashPassword(
  password: string,
  params: { N: number; r: number; p: number; keyLength: number } = SCRYPT_PARAMS,
): Promise<string> {
  if (password.length === 0) throw new Error('A password cannot be empty.');
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize('NFKC'), salt, params.keyLength, scryptOptions(params.N, params.r, params.p));
  return [SCRYPT_PREFIX, params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** True when `password` matches `stored` (compared in constant time); false for a wrong password or a hash it cannot read. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== SCRYPT_PREFIX) return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  // Refuse parameters no hash of ours has, rather than let a stored value burn CPU or memory.
  if (![N, r, p].every(Number.isInteger) || N < 2 || N > 2 ** 20 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  if (salt.length < 8 || expected.length < 16 || expected.length > 64) return false;
  const key = await scrypt(password.normalize('NFKC'), salt, expected.length, scryptOptions(N, r, p));
  return timingSafeEqual(key, expected);
}

/** A hash of a random password: verified against when an email is unknown, so both failures take as long. */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(16).toString('base64url'));
  return decoyHash;
}

/** sha256 hex: what the store keeps of session cookies and learner tokens. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** 32 random bytes, base64url: a session cookie value, a CSRF token or a learner's sync token. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Compares two secrets in constant time (their sha256 digests, so different lengths are fine). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * Failed logins per email (case-insensitive), in memory: after
 * THROTTLE_MAX_FAILURES failures within THROTTLE_WINDOW_MS, logins for that
 * email are refused until the oldest failure leaves the window. A server
 * with several replicas throttles per replica.
 */
export class LoginThrottle {
  readonly #failures = new Map<string, number[]>();
  readonly #now: () => number;
  readonly #max: number;
  readonly #windowMs: number;

  constructor(options: { now?: () => number; maxFailures?: number; windowMs?: number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#max = options.maxFailures ?? THROTTLE_MAX_FAILURES;
    this.#windowMs = options.windowMs ?? THROTTLE_WINDOW_MS;
  }

  #recent(email: string): number[] {
    const key = email.trim().toLowerCase();
    const since = this.#now() - this.#windowMs;
    const list = (this.#failures.get(key) ?? []).filter((t) => t > since);
    if (list.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, list);
    return list;
  }

  /** Milliseconds until a login for `email` may be tried again; 0 when it may be tried now. */
  retryAfterMs(email: string): number {
    const list = this.#recent(email);
    if (list.length < this.#max) return 0;
    return Math.max(1, list[list.length - this.#max]! + this.#windowMs - this.#now());
  }

  fail(email: string): void {
    const list = this.#recent(email);
    list.push(this.#now());
    this.#failures.set(email.trim().toLowerCase(), list);
    // Bound the memory an attacker trying many emails can take.
    if (this.#failures.size > 10_000) {
      const oldest = this.#failures.keys().next().value;
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
  }

  succeed(email: string): void {
    this.#failures.delete(email.trim().toLowerCase());
  }
}

/** The value of one cookie of the request, or undefined. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * True when the browser reached the server over https: directly, or
 * through a proxy that says so. Only used to add `Secure` to the cookie,
 * which an untrusted header can make stricter but never weaker.
 */
export function isHttps(req: IncomingMessage, env: NodeJS.ProcessEnv): boolean {
  if (env.MLOPS_LAB_SECURE_COOKIES === '1') return true;
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  const proto = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase();
  if (first === 'https') return true;
  return (req.headers.origin ?? '').toLowerCase().startsWith('https://');
}

/** `Set-Cookie` for a new session (or, with an empty value, for removing it). */
export function sessionCookie(value: string, options: { secure: boolean; maxAgeSeconds: number }): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${options.maxAgeSeconds}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/** The bearer token of a request, or undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * 403 unless the request's `X-CSRF-Token` equals the session's token.
 * Mentor POSTs need it on top of the SameSite cookie and the same-origin
 * check, so a forged form from a sibling subdomain still gets nothing.
 */
export function requireCsrf(req: IncomingMessage, sessionToken: string): void {
  const raw = req.headers['x-csrf-token'];
  const sent = Array.isArray(raw) ? raw[0] : raw;
  if (!sent) {
    throw new HttpError(
      403,
      'CSRF_MISSING',
      'This request needs the X-CSRF-Token header.',
      'Send the csrfToken from POST /api/mentor/login or GET /api/mentor/session as the X-CSRF-Token header.',
    );
  }
  if (!secretsEqual(sent, sessionToken)) {
    throw new HttpError(
      403,
      'CSRF_INVALID',
      'The X-CSRF-Token header does not match this session.',
      'Read the current token from GET /api/mentor/session (it changes with every login) and send it again.',
    );
  }
}
