import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http.ts';

/** Methods that change state: they need a same-origin `Origin` and a JSON content type. */
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** `host[:port]` the way a URL's `host` spells it (lower case, no default port). */
function normalizeHost(value: string): string | undefined {
  try {
    const url = new URL(`http://${value}`);
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return undefined;
    return url.host;
  } catch {
    return undefined;
  }
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]' || host === '';
}

/**
 * The `Host` values this server answers to: the loopback names on its port,
 * the address it is bound to (unless a wildcard), and the names in
 * `MLOPS_LAB_ALLOWED_HOSTS` (comma-separated; a name without a port means
 * this server's port; `name:443`, a name behind an https proxy, also
 * answers without a port, as browsers send it). Anything else is refused, so a web page on another
 * name that resolves to 127.0.0.1 (DNS rebinding) gets nothing.
 */
export function allowedHosts(port: number, boundHost: string, env: NodeJS.ProcessEnv): Set<string> {
  const names = ['127.0.0.1', 'localhost', '[::1]'];
  if (!isWildcard(boundHost)) names.push(boundHost.includes(':') && !boundHost.startsWith('[') ? `[${boundHost}]` : boundHost);
  const out = new Set<string>();
  for (const name of names) {
    const host = normalizeHost(`${name}:${port}`);
    if (host) out.add(host);
  }
  for (const raw of (env.MLOPS_LAB_ALLOWED_HOSTS ?? '').split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const hasPort = /:\d+$/.test(entry) && !(entry.includes('::') && !entry.startsWith('['));
    const host = normalizeHost(hasPort ? entry : `${entry}:${port}`);
    if (host) out.add(host);
    // `name:443` is a name served through an https proxy: browsers send it without the port.
    if (host?.endsWith(':443')) out.add(host.slice(0, -4));
  }
  return out;
}

export interface CheckRequestOptions {
  /**
   * Paths (mentor mode: `/api/sync`) whose state-changing requests may come
   * without an `Origin` when they carry `Authorization: Bearer …`: the CLI
   * sends them, not a browser. A browser cannot attach that header to a
   * cross-site request without a CORS preflight, which this server never
   * grants, and these routes read no cookie; so same-origin rules are for
   * cookie-authenticated routes only.
   */
  bearerPaths?: RegExp | undefined;
  /**
   * Accept an `https://` Origin of this host too (mentor mode: a server
   * behind a TLS-terminating proxy sees the browser's https origin). The
   * learner's loopback server speaks plain http only, so there an https
   * origin is another site.
   */
  httpsOrigin?: boolean;
}

/**
 * Refuses what this server must not answer:
 * - a `Host` that is not one of ours (403 HOST_NOT_ALLOWED);
 * - a state-changing request without an `Origin` of this very host (403 CROSS_ORIGIN),
 *   unless it is a bearer-token request to one of `bearerPaths`;
 * - a state-changing request whose body is not `application/json` (415).
 * JSON-only plus same-origin means a page elsewhere cannot post a form or a
 * "simple" fetch to the lab server.
 */
export function checkRequest(req: IncomingMessage, allowed: ReadonlySet<string>, options: CheckRequestOptions = {}): HttpError | undefined {
  const rawHost = req.headers.host;
  const host = rawHost ? normalizeHost(rawHost) : undefined;
  if (!host || !allowed.has(host)) {
    return new HttpError(
      403,
      'HOST_NOT_ALLOWED',
      `This lab server answers only to ${[...allowed].join(', ')}; the request was for ${rawHost ? `"${rawHost}"` : 'no host'}.`,
      `Open the lab through one of those addresses, or add the name to MLOPS_LAB_ALLOWED_HOSTS (comma-separated) and restart.`,
    );
  }
  const method = (req.method ?? 'GET').toUpperCase();
  if (!STATE_CHANGING.has(method)) return undefined;
  const origin = req.headers.origin;
  let originHost: string | undefined;
  try {
    const url = origin && origin !== 'null' ? new URL(origin) : undefined;
    originHost = url?.protocol === 'http:' || (options.httpsOrigin && url?.protocol === 'https:') ? url.host : undefined;
  } catch {
    originHost = undefined;
  }
  if (originHost !== host && !(origin === undefined && bearerRequest(req, options.bearerPaths))) {
    return new HttpError(
      403,
      'CROSS_ORIGIN',
      origin ? `Refused a ${method} from another origin (${origin}).` : `Refused a ${method} without an Origin header.`,
      `Changes can only be made from the lab site itself (http://${host}); scripts must send "Origin: http://${host}".`,
    );
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    return new HttpError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `A ${method} must have a JSON body (content-type: application/json); got ${type ? `"${type}"` : 'none'}.`,
      'Send "content-type: application/json" with a JSON body, e.g. {}.',
    );
  }
  return undefined;
}

function bearerRequest(req: IncomingMessage, paths: RegExp | undefined): boolean {
  if (!paths || !/^Bearer\s+\S/i.test(req.headers.authorization ?? '')) return false;
  let pathname: string;
  try {
    pathname = new URL(req.url ?? '/', 'http://lab.invalid').pathname;
  } catch {
    return false;
  }
  return paths.test(pathname);
}

/** Headers every response gets; `/api` answers are never cached. */
export function applySecurityHeaders(res: ServerResponse, isApi: boolean): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'SAMEORIGIN');
  res.setHeader('referrer-policy', 'same-origin');
  if (isApi) res.setHeader('cache-control', 'no-store');
}
