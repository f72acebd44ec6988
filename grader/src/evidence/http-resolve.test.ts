import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpEvidence } from './http.ts';

describe('HttpEvidence.request with resolveTo', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/big') {
        res.end('x'.repeat(10_000));
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ host: req.headers.host, path: req.url }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('connects to the given address and sends the URL host as the Host header', async () => {
    const response = await new HttpEvidence().request(`http://model-api.example.test:${port}/health?x=1`, { resolveTo: '127.0.0.1' });
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ host: `model-api.example.test:${port}`, path: '/health?x=1' });
  });

  it('caps the body like every other request', async () => {
    const response = await new HttpEvidence().request(`http://model-api.example.test:${port}/big`, {
      resolveTo: '127.0.0.1',
      maxBytes: 100,
    });
    expect(response.truncated).toBe(true);
    expect(response.body.length).toBe(100);
  });

  it('errors with HTTP_UNREACHABLE and a curl --resolve hint when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(
      new HttpEvidence().request(`http://model-api.example.test:${freePort}/health`, { resolveTo: '127.0.0.1', timeoutMs: 2_000 }),
    ).rejects.toMatchObject({
      code: 'HTTP_UNREACHABLE',
      nextStep: expect.stringContaining(`--resolve model-api.example.test:${freePort}:127.0.0.1`),
    });
  });
});
