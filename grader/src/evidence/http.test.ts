import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EvidenceError } from '../errors.ts';
import { HttpEvidence } from './http.ts';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface TestServer {
  server: Server;
  base: string;
  port: number;
  requests: Recorded[];
}

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A node:http server on `host`:0 that records every request, then hands it to `handler`. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void, host = '127.0.0.1'): Promise<TestServer> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return { server, base: `http://${host}:${port}`, port, requests };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

function expectEvidenceError(error: unknown, code: string): EvidenceError {
  expect(error, `expected EvidenceError ${code}`).toBeInstanceOf(EvidenceError);
  expect((error as EvidenceError).code).toBe(code);
  return error as EvidenceError;
}

const http = new HttpEvidence();

describe('HttpEvidence.request', () => {
  it('returns a JSON response to a JSON request', async () => {
    const s = await serve((req, res, body) => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-model-version': '7' });
      res.end(JSON.stringify({ got: JSON.parse(body) as unknown, contentType: req.headers['content-type'], method: req.method }));
    });
    const response = await http.request(`${s.base}/predict`, { method: 'POST', json: { income: 52000, tags: ['a'] } });
    expect(response.status).toBe(201);
    expect(response.url).toBe(`${s.base}/predict`);
    expect(response.headers['x-model-version']).toBe('7');
    expect(response.truncated).toBe(false);
    expect(response.json()).toEqual({ got: { income: 52000, tags: ['a'] }, contentType: 'application/json', method: 'POST' });
    expect(s.requests).toHaveLength(1);
  });

  it('returns undefined from json() for a body that is not JSON, and keeps an explicit content-type', async () => {
    const s = await serve((req, res) => res.end(`ct=${req.headers['content-type']}`));
    const response = await http.request(s.base, {
      method: 'POST',
      json: { a: 1 },
      headers: { 'content-type': 'application/vnd.api+json' },
    });
    expect(response.body).toBe('ct=application/vnd.api+json');
    expect(response.json()).toBeUndefined();
  });

  it('returns 4xx and 5xx responses without throwing', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(422, { 'content-type': 'application/json' });
      res.end('{"detail":"bad"}');
    });
    const response = await http.request(s.base);
    expect(response.status).toBe(422);
    expect(response.json()).toEqual({ detail: 'bad' });
  });

  it('returns after sending the basic auth header', async () => {
    const s = await serve((_req, res) => res.end('ok'));
    await http.request(`${s.base}/metrics`, { basicAuth: { username: 'grader', password: 'pä:ss' } });
    expect(s.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('grader:pä:ss').toString('base64')}`);
    expect(Buffer.from(s.requests[0]!.headers.authorization!.slice('Basic '.length), 'base64').toString('utf8')).toBe('grader:pä:ss');
  });

  it('errors with HTTP_TIMEOUT when the server never answers', async () => {
    const s = await serve(() => {
      // never respond
    });
    const error = expectEvidenceError(await rejection(http.request(`${s.base}/health`, { timeoutMs: 300 })), 'HTTP_TIMEOUT');
    expect(error.message).toContain('300 ms');
    expect(error.message).toContain(`${s.base}/health`);
    expect(error.nextStep).toContain('curl');
  });

  it('errors with HTTP_TIMEOUT when the server sends headers and then stalls the body', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
      // never end
    });
    expectEvidenceError(await rejection(http.request(s.base, { timeoutMs: 300 })), 'HTTP_TIMEOUT');
  });

  it('returns the final response of a same-host redirect chain', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/old') {
        res.writeHead(302, { location: '/middle' });
        res.end();
      } else if (req.url === '/middle') {
        res.writeHead(301, { location: `http://127.0.0.1:${(req.socket.address() as AddressInfo).port}/new?x=1` });
        res.end();
      } else {
        res.end(`final ${req.url}`);
      }
    });
    const response = await http.request(`${s.base}/old`);
    expect(response.status).toBe(200);
    expect(response.body).toBe('final /new?x=1');
    expect(response.url).toBe(`${s.base}/new?x=1`);
    expect(s.requests.map((r) => r.url)).toEqual(['/old', '/middle', '/new?x=1']);
  });

  it('errors with HTTP_REDIRECT_OFF_HOST and never requests the other host', async () => {
    const other = await serve((_req, res) => res.end('you should not be here'), '127.0.0.2');
    const s = await serve((_req, res) => {
      res.writeHead(302, { location: `${other.base}/steal` });
      res.end();
    });
    const error = expectEvidenceError(
      await rejection(http.request(`${s.base}/start`, { basicAuth: { username: 'u', password: 'p' } })),
      'HTTP_REDIRECT_OFF_HOST',
    );
    expect(error.message).toContain(`${other.base}/steal`);
    expect(error.message).toContain(`127.0.0.1:${s.port}`);
    expect(other.requests).toEqual([]);
    expect(s.requests).toHaveLength(1);
  });

  it('errors with HTTP_REDIRECT_OFF_HOST for another host name or port on the same machine', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/by-name') {
        res.writeHead(307, { location: `http://localhost:${s.port}/leak` });
      } else if (req.url === '/by-port') {
        res.writeHead(302, { location: `http://127.0.0.1:${s.port + 1}/leak` });
      } else if (req.url === '/by-scheme') {
        res.writeHead(302, { location: `file:///etc/passwd` });
      } else {
        res.writeHead(200);
      }
      res.end();
    });
    expectEvidenceError(await rejection(http.request(`${s.base}/by-name`)), 'HTTP_REDIRECT_OFF_HOST');
    expectEvidenceError(await rejection(http.request(`${s.base}/by-port`)), 'HTTP_REDIRECT_OFF_HOST');
    expectEvidenceError(await rejection(http.request(`${s.base}/by-scheme`)), 'HTTP_REDIRECT_OFF_HOST');
    expect(s.requests.map((r) => r.url)).toEqual(['/by-name', '/by-port', '/by-scheme']);
  });

  it('errors with HTTP_TOO_MANY_REDIRECTS on a redirect loop', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(302, { location: '/loop' });
      res.end();
    });
    expectEvidenceError(await rejection(http.request(`${s.base}/loop`, { maxRedirects: 2 })), 'HTTP_TOO_MANY_REDIRECTS');
    expect(s.requests).toHaveLength(3);
  });

  it('returns the first 1 MiB of a 5 MB body and sets truncated', async () => {
    const chunk = Buffer.alloc(64 * 1024);
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      let sent = 0;
      let i = 0;
      const write = (): void => {
        while (sent < 5_000_000) {
          chunk.fill(String.fromCharCode(97 + (i++ % 26)));
          sent += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', write);
            return;
          }
        }
        res.end();
      };
      write();
    });
    const response = await http.request(s.base);
    expect(response.truncated).toBe(true);
    expect(response.body).toHaveLength(1024 * 1024);
    expect(response.body.slice(0, 3)).toBe('aaa');
    // 16 chunks of 64 KiB: the last kept byte is from chunk 15 ('p').
    expect(response.body.at(-1)).toBe('p');
  });

  it('returns truncated false for a body exactly at maxBytes', async () => {
    const s = await serve((_req, res) => res.end('0123456789'));
    const response = await http.request(s.base, { maxBytes: 10 });
    expect(response).toMatchObject({ body: '0123456789', truncated: false });
    const smaller = await http.request(s.base, { maxBytes: 4 });
    expect(smaller).toMatchObject({ body: '0123', truncated: true });
  });

  it('errors with HTTP_UNREACHABLE when the connection is refused', async () => {
    const s = await serve((_req, res) => res.end());
    const deadPort = s.port;
    await new Promise<void>((resolve) => s.server.close(() => resolve()));
    const error = expectEvidenceError(
      await rejection(http.request(`http://127.0.0.1:${deadPort}/health`, { timeoutMs: 5_000 })),
      'HTTP_UNREACHABLE',
    );
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.nextStep).toContain(`curl -v http://127.0.0.1:${deadPort}/health`);
  });

  it('errors when the caller aborts', async () => {
    const s = await serve(() => {
      // never respond
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await rejection(http.request(s.base, { signal: controller.signal, timeoutMs: 20_000 }));
    expect(error).toBeInstanceOf(EvidenceError);
  });
});

describe('HttpEvidence on a reset connection (a kept-alive socket the server closed)', () => {
  it('tries once more on a fresh connection, and answers', async () => {
    let seen = 0;
    const s = await serve((req, res) => {
      seen++;
      if (seen === 1) req.socket.destroy();
      else res.end('second time');
    });
    const response = await new HttpEvidence().request(`${s.base}/predict`, { method: 'POST', json: { rows: [] } });
    expect(response.status).toBe(200);
    expect(response.body).toBe('second time');
    expect(s.requests).toHaveLength(2);
  });

  it('fails with the reset when every connection is reset, after two tries', async () => {
    const s = await serve((req) => req.socket.destroy());
    const error = await new HttpEvidence().request(`${s.base}/predict`, { method: 'POST', json: {} }).catch((e: unknown) => e);
    expect((error as EvidenceError).code).toBe('HTTP_UNREACHABLE');
    expect((error as EvidenceError).message).toMatch(/ECONNRESET|UND_ERR_SOCKET|other side closed/);
    expect(s.requests).toHaveLength(2);
  });
});
