import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { EvidenceError } from '../errors.ts';

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  /** A JSON body (sets content-type) or raw text. */
  json?: unknown;
  body?: string;
  /** Default: 10 000 ms for the whole exchange, redirects included. */
  timeoutMs?: number;
  /** Default: 1 MiB of response body. */
  maxBytes?: number;
  /** Follow at most this many redirects, and only on the same host. Default: 5. */
  maxRedirects?: number;
  /** Basic auth credentials. */
  basicAuth?: { username: string; password: string };
  signal?: AbortSignal;
  /**
   * Connect to this address (IP or host name) instead of the URL's host,
   * which still goes in the Host header, like `curl --resolve`: how one
   * reaches a name-based Ingress before DNS knows the name. Redirects are
   * not followed then (a 3xx is returned as it is).
   */
  resolveTo?: string;
}

export interface HttpResponse {
  /** The URL that answered, after same-host redirects. */
  url: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  truncated: boolean;
  durationMs: number;
  /** Parses the body as JSON; undefined when it is not JSON. */
  json(): unknown;
}

/**
 * HTTP as an on-call engineer uses it: timeouts on everything, a cap on the
 * body, and redirects followed only on the target host (a learner's service
 * must not send the grader elsewhere).
 */
export class HttpEvidence {
  async request(url: string, req: HttpRequest = {}): Promise<HttpResponse> {
    const timeoutMs = req.timeoutMs ?? 10_000;
    const maxBytes = req.maxBytes ?? 1024 * 1024;
    const maxRedirects = req.maxRedirects ?? 5;
    const signals = [AbortSignal.timeout(timeoutMs)];
    if (req.signal) signals.push(req.signal);
    const signal = AbortSignal.any(signals);
    const headers: Record<string, string> = { ...req.headers };
    let body = req.body;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] ??= 'application/json';
    }
    if (req.basicAuth) {
      headers.authorization = `Basic ${Buffer.from(`${req.basicAuth.username}:${req.basicAuth.password}`).toString('base64')}`;
    }
    const origin = new URL(url);
    if (req.resolveTo !== undefined)
      return requestResolved(origin, req.resolveTo, req.method ?? 'GET', headers, body, signal, timeoutMs, maxBytes);
    const started = performance.now();
    let current = origin;
    for (let hop = 0; ; hop++) {
      let response: Response;
      try {
        response = await fetchOnce(current, { method: req.method ?? 'GET', headers, body, redirect: 'manual', signal });
      } catch (cause) {
        const timedOut = signal.aborted;
        throw new EvidenceError(
          timedOut ? 'HTTP_TIMEOUT' : 'HTTP_UNREACHABLE',
          timedOut
            ? `${req.method ?? 'GET'} ${current.href} got no answer within ${timeoutMs} ms.`
            : `${req.method ?? 'GET'} ${current.href} failed: ${describeFetchError(cause)}.`,
          `Is the service running? Try \`curl -v ${current.href}\`.`,
          { cause },
        );
      }
      if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
        const next = new URL(response.headers.get('location')!, current);
        await response.body?.cancel();
        if (next.host !== origin.host || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
          throw new EvidenceError(
            'HTTP_REDIRECT_OFF_HOST',
            `${current.href} redirected to ${next.href}, another host; the grader only follows redirects on ${origin.host}.`,
            'Serve the endpoint directly instead of redirecting elsewhere.',
          );
        }
        if (hop >= maxRedirects) {
          throw new EvidenceError('HTTP_TOO_MANY_REDIRECTS', `${origin.href} redirected more than ${maxRedirects} times.`);
        }
        current = next;
        if (response.status === 303) {
          body = undefined;
        }
        continue;
      }
      let received: { text: string; truncated: boolean };
      try {
        received = await readCapped(response, maxBytes);
      } catch (cause) {
        const timedOut = signal.aborted;
        throw new EvidenceError(
          timedOut ? 'HTTP_TIMEOUT' : 'HTTP_UNREACHABLE',
          timedOut
            ? `${req.method ?? 'GET'} ${current.href} answered but did not finish its body within ${timeoutMs} ms.`
            : `${req.method ?? 'GET'} ${current.href} broke off while sending its body: ${describeFetchError(cause)}.`,
          `Is the service healthy? Try \`curl -v ${current.href}\`.`,
          { cause },
        );
      }
      const { text, truncated } = received;
      const responseHeaders: Record<string, string> = {};
      response.headers.forEach((value, key) => {
        responseHeaders[key] = value;
      });
      return {
        url: current.href,
        status: response.status,
        headers: responseHeaders,
        body: text,
        truncated,
        durationMs: Math.round(performance.now() - started),
        json(): unknown {
          try {
            return JSON.parse(text) as unknown;
          } catch {
            return undefined;
          }
        },
      };
    }
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: '', truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.length > maxBytes) {
      chunks.push(value.subarray(0, maxBytes - size));
      truncated = true;
      await reader.cancel();
      break;
    }
    chunks.push(value);
    size += value.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated };
}

/**
 * fetch, tried a second time when the connection was reset before any
 * answer: fetch reuses kept-alive connections, and a server closing an idle
 * one (uvicorn after 5 s) just as the request goes out resets it. That reset
 * says nothing about the service, so one fresh connection settles it; a
 * service that resets every connection still fails, with the same error.
 */
async function fetchOnce(url: URL, init: RequestInit & { signal: AbortSignal }): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const code = (error as Error & { cause?: { code?: string } }).cause?.code;
    if (init.signal.aborted || !code || !STALE_CONNECTION_CODES.has(code)) throw error;
    return await fetch(url, init);
  }
}

const STALE_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
    return error.message;
  }
  return String(error);
}

/**
 * One request to `address` with the Host of `url` (fetch cannot set Host),
 * with the same timeout and body cap as the rest of HttpEvidence.
 */
function requestResolved(
  url: URL,
  address: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  signal: AbortSignal,
  timeoutMs: number,
  maxBytes: number,
): Promise<HttpResponse> {
  const started = performance.now();
  const shown = `${method} ${url.href} (via ${address})`;
  return new Promise<HttpResponse>((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    const req = send(
      {
        host: address,
        port,
        method,
        path: `${url.pathname}${url.search}`,
        headers: { ...headers, host: url.host },
        servername: url.hostname,
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        res.on('data', (chunk: Buffer) => {
          if (truncated) return;
          if (size + chunk.length > maxBytes) {
            chunks.push(chunk.subarray(0, maxBytes - size));
            truncated = true;
            res.destroy();
            finish();
            return;
          }
          chunks.push(chunk);
          size += chunk.length;
        });
        let done = false;
        const finish = (): void => {
          if (done) return;
          done = true;
          const text = Buffer.concat(chunks).toString('utf8');
          const responseHeaders: Record<string, string> = {};
          for (const [key, value] of Object.entries(res.headers))
            if (value !== undefined) responseHeaders[key] = Array.isArray(value) ? value.join(', ') : value;
          resolve({
            url: url.href,
            status: res.statusCode ?? 0,
            headers: responseHeaders,
            body: text,
            truncated,
            durationMs: Math.round(performance.now() - started),
            json(): unknown {
              try {
                return JSON.parse(text) as unknown;
              } catch {
                return undefined;
              }
            },
          });
        };
        res.on('end', finish);
        res.on('error', (cause) => {
          if (!done) reject(unreachable(cause));
        });
      },
    );
    const unreachable = (cause: unknown): EvidenceError => {
      const timedOut = signal.aborted;
      return new EvidenceError(
        timedOut ? 'HTTP_TIMEOUT' : 'HTTP_UNREACHABLE',
        timedOut ? `${shown} got no answer within ${timeoutMs} ms.` : `${shown} failed: ${describeFetchError(cause)}.`,
        `Try it yourself: \`curl -v --resolve ${url.hostname}:${port}:${address} ${url.href}\`.`,
        { cause },
      );
    };
    req.on('error', (cause) => reject(unreachable(cause)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}
