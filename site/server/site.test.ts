import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestServer, type TestServer } from './test-helpers.ts';

describe('the site without a build', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('explains at / how to build the site', async () => {
    const r = await request(server, 'GET', '/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('text/html');
    expect(r.text).toContain('npm run build -w @mlops-lab/site');
  });

  it('answers other pages with a plain 404, and the API still works', async () => {
    const page = await request(server, 'GET', '/labs/docker/01-containerise-model-api/');
    expect(page.status).toBe(404);
    expect(page.headers['content-type']).toContain('text/plain');
    const api = await request(server, 'GET', '/api/labs');
    expect(api.status).toBe(200);
    expect(api.json.length).toBeGreaterThan(0);
  });
});

describe('the site with a build (a stand-in build: static files and a middleware-mode server entry)', () => {
  let server: TestServer;
  let siteDir: string;

  beforeAll(async () => {
    siteDir = await mkdtemp(join(tmpdir(), 'mlops-lab-site-'));
    const client = join(siteDir, 'dist', 'client');
    await mkdir(join(client, '_astro'), { recursive: true });
    await mkdir(join(client, 'guides', 'start'), { recursive: true });
    await mkdir(join(siteDir, 'dist', 'server'), { recursive: true });
    await writeFile(join(client, 'index.html'), '<h1>home page</h1>');
    await writeFile(join(client, '404.html'), '<h1>the site 404 page</h1>');
    await writeFile(join(client, 'guides', 'start', 'index.html'), '<h1>a guide</h1>');
    await writeFile(join(client, '_astro', 'client.abc123.js'), 'console.log(1);');
    // What @astrojs/node exports in middleware mode: handler(req, res, next).
    await writeFile(
      join(siteDir, 'dist', 'server', 'entry.mjs'),
      `export async function handler(req, res, next) {
        if (req.url.startsWith('/ssr/')) { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<p>rendered ' + req.url + '</p>'); return; }
        if (req.url === '/ssr-broken') throw new Error('render failed');
        next();
      }`,
    );
    server = await startTestServer({ siteDir });
  });

  afterAll(async () => {
    await server?.dispose();
    await rm(siteDir, { recursive: true, force: true });
  });

  it('serves built pages, and /_astro/ files as immutable', async () => {
    const home = await request(server, 'GET', '/');
    expect(home.status).toBe(200);
    expect(home.text).toBe('<h1>home page</h1>');
    expect((await request(server, 'GET', '/guides/start/')).text).toBe('<h1>a guide</h1>');
    const asset = await request(server, 'GET', '/_astro/client.abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(home.headers['cache-control']).toBe('no-cache');
  });

  it('hands other requests to the Astro handler, then answers 404 with the site 404 page', async () => {
    const ssr = await request(server, 'GET', '/ssr/hello');
    expect(ssr.status).toBe(200);
    expect(ssr.text).toBe('<p>rendered /ssr/hello</p>');
    const missing = await request(server, 'GET', '/no/such/page');
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('<h1>the site 404 page</h1>');
    // The API is not the site's: its 404s stay JSON.
    const api = await request(server, 'GET', '/api/no-such');
    expect(api.json.error.code).toBe('NOT_FOUND');
  });

  it('answers 500 when a page fails to render, and logs why', async () => {
    const r = await request(server, 'GET', '/ssr-broken');
    expect(r.status).toBe(500);
    expect(r.text).not.toContain('render failed');
    expect(server.logs.some((l) => l.level === 'error' && (l.fields.error as Error | undefined)?.message === 'render failed')).toBe(true);
  });
});
