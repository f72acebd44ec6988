import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedHosts } from './security.ts';
import { LAB, request, startTestServer, type TestServer } from './test-helpers.ts';

describe('allowedHosts', () => {
  it('returns the loopback names on the port, plus MLOPS_LAB_ALLOWED_HOSTS (a name without a port gets ours)', () => {
    expect([...allowedHosts(4321, '127.0.0.1', {})]).toEqual(['127.0.0.1:4321', 'localhost:4321', '[::1]:4321']);
    expect([...allowedHosts(4321, '0.0.0.0', { MLOPS_LAB_ALLOWED_HOSTS: ' Lab.Example , box:8080,[fd00::1], ,' })]).toEqual([
      '127.0.0.1:4321',
      'localhost:4321',
      '[::1]:4321',
      'lab.example:4321',
      'box:8080',
      '[fd00::1]:4321',
    ]);
    expect(allowedHosts(80, '192.168.1.5', {}).has('192.168.1.5')).toBe(true);
  });
});

describe('lab server security', () => {
  let server: TestServer;
  let port: string;
  const workspace = (): string => join(server.home, 'workspaces', 'docker', '01-containerise-model-api');

  beforeAll(async () => {
    server = await startTestServer({ env: { MLOPS_LAB_ALLOWED_HOSTS: 'lab.test' } });
    port = new URL(server.url).port;
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('refuses a cross-origin POST with 403 CROSS_ORIGIN and changes nothing', async () => {
    for (const origin of [
      'http://evil.example',
      `http://evil.example:${port}`,
      `https://127.0.0.1:${port}`,
      'null',
      `http://localhost:${port}`,
    ]) {
      const r = await request(server, 'POST', `/api/labs/${LAB}/start`, { headers: { origin } });
      expect(r.status, origin).toBe(403);
      expect(r.json.error.code).toBe('CROSS_ORIGIN');
    }
    expect(existsSync(workspace())).toBe(false);
  });

  it('refuses a POST without Origin with 403, and a cross-origin PUT', async () => {
    const r = await request(server, 'POST', `/api/labs/${LAB}/start`, { headers: { origin: undefined } });
    expect(r.status).toBe(403);
    expect(r.json.error).toMatchObject({ code: 'CROSS_ORIGIN', message: expect.stringContaining('without an Origin') });
    const put = await request(server, 'PUT', '/api/settings', { body: { path: 'devops-sre' }, headers: { origin: 'http://evil.example' } });
    expect(put.status).toBe(403);
    expect((await request(server, 'GET', '/api/settings')).json).toEqual({ learner: server.learner });
    expect(existsSync(workspace())).toBe(false);
  });

  it('refuses a text/plain or untyped POST with 415', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) {
      const r = await request(server, 'POST', `/api/labs/${LAB}/start`, { body: '{}', headers: { 'content-type': type } });
      expect(r.status, String(type)).toBe(415);
      expect(r.json.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    expect(existsSync(workspace())).toBe(false);
  });

  it('refuses a Host that is not ours with 403 on the API, the site and changes (DNS rebinding)', async () => {
    for (const [method, path] of [
      ['GET', '/api/labs'],
      ['GET', '/'],
      ['POST', `/api/labs/${LAB}/start`],
    ] as const) {
      const r = await request(server, method, path, { headers: { host: `evil.example:${port}`, origin: `http://evil.example:${port}` } });
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.json.error.code).toBe('HOST_NOT_ALLOWED');
    }
    expect((await request(server, 'GET', '/api/labs', { headers: { host: `127.0.0.1:${Number(port) + 1}` } })).status).toBe(403);
    expect(existsSync(workspace())).toBe(false);
  });

  it('answers to localhost, [::1] and MLOPS_LAB_ALLOWED_HOSTS names, with a matching Origin', async () => {
    for (const host of [`localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, `lab.test:${port}`]) {
      expect((await request(server, 'GET', '/api/labs', { headers: { host } })).status, host).toBe(200);
    }
    const r = await request(server, 'PUT', '/api/settings', {
      body: { hoursPerWeek: 5 },
      headers: { host: `lab.test:${port}`, origin: `http://lab.test:${port}`, 'content-type': 'application/json; charset=utf-8' },
    });
    expect(r.status, r.text).toBe(200);
  });

  it('refuses a body over 64 KiB with 413, declared or chunked, and keeps serving', async () => {
    const big = JSON.stringify({ path: 'devops-sre', padding: 'x'.repeat(100 * 1024) });
    const declared = await request(server, 'PUT', '/api/settings', { body: big });
    expect(declared.status).toBe(413);
    expect(declared.json.error.code).toBe('BODY_TOO_LARGE');
    const chunked = await request(server, 'PUT', '/api/settings', { body: big, headers: { 'transfer-encoding': 'chunked' } });
    expect(chunked.status).toBe(413);
    expect((await request(server, 'GET', '/api/settings')).json.path).toBeUndefined();
    // Just under the limit is read (and refused for its unknown field, not its size).
    const under = await request(server, 'PUT', '/api/settings', { body: JSON.stringify({ padding: 'x'.repeat(60 * 1024) }) });
    expect(under.status).toBe(400);
  });

  it('sends nosniff everywhere and no-store on the API', async () => {
    const api = await request(server, 'GET', '/api/labs');
    expect(api.headers['x-content-type-options']).toBe('nosniff');
    expect(api.headers['cache-control']).toBe('no-store');
    const error = await request(server, 'GET', '/api/labs/x/y');
    expect(error.headers['cache-control']).toBe('no-store');
    const page = await request(server, 'GET', '/');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
  });
});
