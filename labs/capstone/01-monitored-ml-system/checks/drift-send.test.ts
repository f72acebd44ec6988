/** startTraffic against a small node:http server standing in for /predict (it records what it got). */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpEvidence } from '@mlops-lab/grader';
import { startTraffic } from './drift-send.ts';
import { TrafficStream } from './drift-traffic.ts';
import { readDatasetRows } from './shared.ts';

const rows = await readDatasetRows();

interface Received {
  authorization?: string;
  rows: unknown[];
}

let server: Server | undefined;

/** A /predict that answers `status(n)` to the n-th request (from 1) and records each body. */
async function predictServer(status: (n: number) => number): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { rows: unknown[] };
      received.push({ authorization: req.headers.authorization, rows: body.rows });
      const code = status(received.length);
      res
        .writeHead(code, { 'content-type': 'application/json' })
        .end(code === 200 ? '{"predictions":[]}' : '{"errors":[{"field":"rows[0].age"}]}');
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, received };
}

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const ctx = { http: new HttpEvidence(), signal: new AbortController().signal };

describe('startTraffic', () => {
  it('sends the stream in requests of rowsPerRequest rows, with the auth header, at about the pace asked', async () => {
    const { url, received } = await predictServer(() => 200);
    const stream = new TrafficStream(rows, { seed: 9, shifted: false });
    const started = Date.now();
    const traffic = startTraffic(ctx, { url, authHeader: 'Basic abc' }, stream, { rowsPerSecond: 200, rowsPerRequest: 20, rows: 200 });
    const sent = await traffic.done;
    const seconds = (Date.now() - started) / 1000;
    expect(sent).toMatchObject({ rows: 200, requests: 10, failedRequests: 0, failures: [] });
    expect(received).toHaveLength(10);
    expect(received.every((r) => r.authorization === 'Basic abc' && r.rows.length === 20)).toBe(true);
    expect(received.flatMap((r) => r.rows)).toEqual(new TrafficStream(rows, { seed: 9, shifted: false }).take(200));
    // 10 requests 0.1 s apart: about 0.9 s (generous bounds for a busy machine).
    expect(seconds).toBeGreaterThan(0.8);
    expect(seconds).toBeLessThan(5);
  });

  it('returns what was sent when stopped, and sends nothing after', async () => {
    const { url, received } = await predictServer(() => 200);
    const traffic = startTraffic(ctx, { url, authHeader: 'Basic abc' }, new TrafficStream(rows, { seed: 1, shifted: true }), {
      rowsPerSecond: 100,
      rowsPerRequest: 10,
    });
    await new Promise((r) => setTimeout(r, 350));
    const sent = await traffic.stop();
    const count = received.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toHaveLength(count);
    expect(sent.requests).toBe(count);
    expect(sent.firstRequestAt).toBeTypeOf('number');
  });

  it('gives up after 10 failed requests in a row, keeping the first failures', async () => {
    const { url } = await predictServer((n) => (n <= 2 ? 200 : 422));
    const traffic = startTraffic(ctx, { url, authHeader: 'Basic abc' }, new TrafficStream(rows, { seed: 2, shifted: false }), {
      rowsPerSecond: 2000,
      rowsPerRequest: 20,
    });
    const sent = await traffic.done;
    expect(sent).toMatchObject({ requests: 12, failedRequests: 10, gaveUp: '10 requests in a row failed' });
    expect(sent.failures).toHaveLength(5);
    expect(sent.failures[0]).toBe('request 3: HTTP 422: {"errors":[{"field":"rows[0].age"}]}');
  });

  it('records a refused connection as a failure with its reason', async () => {
    const traffic = startTraffic(
      ctx,
      { url: 'http://127.0.0.1:9', authHeader: 'Basic abc' },
      new TrafficStream(rows, { seed: 2, shifted: false }),
      {
        rowsPerSecond: 2000,
        rowsPerRequest: 20,
        rows: 40,
      },
    );
    const sent = await traffic.done;
    expect(sent.failedRequests).toBe(2);
    expect(sent.failures[0]).toMatch(/^request 1: /);
  });
});
