import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http.ts';

export interface Route {
  method: string;
  /** Matched against the decoded path; named groups become `params`. */
  pattern: RegExp;
  handler: (request: ApiRequest) => Promise<void> | void;
}

export interface ApiRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
}

/** A lab id in a path: `<stage>/<slug>`, two segments (`%2F` is decoded first, so `docker%2F01-x` matches too). */
export const LAB_ID = '(?<labId>[^/]+/[^/]+)';

/**
 * The API's router: a list of (method, regular expression) pairs. A dozen
 * routes, one of them with a slash inside the parameter, do not need a
 * framework; this keeps the request path of the server in plain node:http.
 * HEAD is answered by GET routes. A path that matches with another method
 * gets 405 with `Allow`; no match at all gets 404.
 */
export class Router {
  readonly #routes: Route[] = [];

  add(method: string, pattern: RegExp, handler: Route['handler']): this {
    this.#routes.push({ method, pattern, handler });
    return this;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      throw new HttpError(400, 'BAD_PATH', `The path ${url.pathname} is not valid percent-encoding.`);
    }
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const allowed = new Set<string>();
    for (const route of this.#routes) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      if (route.method !== method) {
        allowed.add(route.method);
        continue;
      }
      await route.handler({ req, res, url, params: { ...match.groups } });
      return;
    }
    if (allowed.size > 0) {
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not supported on ${path}.`, `Use ${[...allowed].join(' or ')}.`, {
        headers: { allow: [...allowed, ...(allowed.has('GET') ? ['HEAD'] : [])].join(', ') },
      });
    }
    throw new HttpError(404, 'NOT_FOUND', `There is no API endpoint ${path}.`, 'The endpoints are listed in site/server/README.md.');
  }
}
