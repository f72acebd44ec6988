import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sirv from 'sirv';
import type { Logger } from './log.ts';

/** Astro's @astrojs/node handler in `mode: 'middleware'`. */
type AstroHandler = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void, locals?: object) => Promise<void> | void;

export interface SiteHandler {
  /** True when `dist/client` exists. */
  readonly built: boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

const BUILD_COMMAND = 'npm run build -w @mlops-lab/site';

/**
 * The browser site: the built static files (`dist/client`, via sirv), then
 * Astro's server handler for on-demand pages (`dist/server/entry.mjs`, when
 * the build has one), then the site's 404 page. Without a build, `/`
 * explains how to make one; the API works either way.
 */
export async function createSiteHandler(siteDir: string, log: Logger): Promise<SiteHandler> {
  const clientDir = join(siteDir, 'dist', 'client');
  const entry = join(siteDir, 'dist', 'server', 'entry.mjs');
  const built = existsSync(clientDir);
  let astro: AstroHandler | undefined;
  if (existsSync(entry)) {
    const mod = (await import(pathToFileURL(entry).href)) as { handler?: AstroHandler };
    if (typeof mod.handler === 'function') astro = mod.handler;
    else log.warn('the Astro server entry has no handler export; is the adapter in middleware mode?', { entry });
  }
  const statics = built
    ? sirv(clientDir, {
        etag: true,
        dotfiles: false,
        setHeaders(res, pathname) {
          // Astro fingerprints everything under /_astro/: it never changes.
          res.setHeader('cache-control', pathname.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      })
    : undefined;
  let notFoundPage: Promise<string | undefined> | undefined;
  const notFound = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (res.headersSent) return;
    notFoundPage ??= readFile(join(clientDir, '404.html'), 'utf8').catch(() => undefined);
    const page = built ? await notFoundPage : undefined;
    if (page) {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : page);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : `Not found: ${new URL(req.url ?? '/', 'http://x').pathname}\n`);
    }
  };

  return {
    built,
    async handle(req, res) {
      if (!built && !astro) {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        if ((req.method === 'GET' || req.method === 'HEAD') && (path === '/' || path === '/index.html')) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
          res.end(req.method === 'HEAD' ? undefined : notBuiltPage());
          return;
        }
        await notFound(req, res);
        return;
      }
      // Settles when the response is over, whoever wrote it: sirv answers
      // or calls next; Astro answers or calls next; next ends in the 404 page.
      await new Promise<void>((resolve, reject) => {
        res.once('finish', () => resolve());
        res.once('close', () => resolve());
        const fail = (error: unknown): void => reject(error instanceof Error ? error : new Error(String(error)));
        const lastResort = (): void => void notFound(req, res).catch(fail);
        const toAstro = (): void => {
          if (!astro) return lastResort();
          Promise.resolve(astro(req, res, (error?: unknown) => (error ? fail(error) : lastResort()))).catch(fail);
        };
        if (statics) statics(req, res, toAstro);
        else toAstro();
      });
    },
  };
}

function notBuiltPage(): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>MLOps Lab — site not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code{background:#f2f2f2;padding:.1em .3em;border-radius:3px}</style></head>
<body>
<h1>MLOps Lab</h1>
<p>The lab server is running, but the browser site has not been built yet.</p>
<p>Build it with <code>${BUILD_COMMAND}</code>, then restart <code>npm start</code>.</p>
<p>The API works already: <a href="/api/labs">/api/labs</a>, <a href="/api/progress">/api/progress</a>, <a href="/api/doctor">/api/doctor</a>.
In a terminal, <code>npx mlops-lab list</code> shows the labs.</p>
</body>
</html>
`;
}
