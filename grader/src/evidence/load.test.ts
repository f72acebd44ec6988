import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EvidenceError } from '../errors.ts';
import { describeLoadResult, percentile, runLoadTest, summarizeLatencies } from './load.ts';

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A real node:http server on 127.0.0.1 that counts requests and hands each to `handler`. */
async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; count: () => number; peak: () => number }> {
  let count = 0;
  let open = 0;
  let peak = 0;
  const server = createServer((req, res) => {
    count++;
    open++;
    peak = Math.max(peak, open);
    res.on('close', () => open--);
    req.resume();
    req.on('end', () => handler(req, res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/predict`, count: () => count, peak: () => peak };
}

const okJson = (res: ServerResponse): void => {
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"predictions":[{"class":0}]}');
};

describe('percentile', () => {
  it('returns the nearest-rank percentile', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBe(0);
    // 20 values: the 95th percentile is the 19th smallest, not an average.
    expect(percentile([...Array.from({ length: 19 }, () => 10), 1000], 95)).toBe(10);
    expect(percentile([...Array.from({ length: 18 }, () => 10), 500, 1000], 95)).toBe(500);
  });
  it('summarises p50, p95, p99, max and mean', () => {
    expect(summarizeLatencies([1, 2, 3, 4, 100])).toEqual({ p50: 3, p95: 100, p99: 100, max: 100, mean: 22 });
  });
});

describe('runLoadTest', () => {
  it('sends at the stated rate for the stated time and measures every request', async () => {
    const target = await serve((_req, res) => setTimeout(() => okJson(res), 5));
    const result = await runLoadTest({ url: target.url, body: { json: { rows: [] } }, ratePerSecond: 50, durationMs: 1_000 });
    expect(result.due).toBe(50);
    expect(result.sent).toBe(50);
    expect(result.ok).toBe(50);
    expect(result.errorCount).toBe(0);
    expect(target.count()).toBe(50);
    expect(result.statuses).toEqual({ '200': 50 });
    expect(result.achievedRate).toBeGreaterThan(45);
    expect(result.achievedRate).toBeLessThan(55);
    expect(result.latencyMs.p50).toBeGreaterThanOrEqual(5);
    expect(result.latencyMs.p95).toBeLessThan(500);
    expect(describeLoadResult(result)).toMatch(/50 requests due, 50 sent at .*: 50 OK, no errors; latency p50/);
  });

  it('stops at maxRequests and sends warm-up requests outside the measurement', async () => {
    const target = await serve((_req, res) => okJson(res));
    const result = await runLoadTest({ url: target.url, ratePerSecond: 200, durationMs: 5_000, maxRequests: 20, warmupRequests: 3 });
    expect(result.due).toBe(20);
    expect(target.count()).toBe(23);
    expect(result.durationMs).toBeLessThan(1_000);
  });

  it('caps requests in flight and counts the rest as dropped', async () => {
    const target = await serve((_req, res) => setTimeout(() => okJson(res), 400));
    const result = await runLoadTest({ url: target.url, ratePerSecond: 100, durationMs: 300, concurrency: 5 });
    expect(result.due).toBe(30);
    expect(result.sent).toBe(5);
    expect(result.errors.dropped).toBe(25);
    expect(result.ok).toBe(5);
    expect(target.peak()).toBeLessThanOrEqual(5);
    expect(result.samples[0]).toMatch(/dropped: 5 requests were already waiting/);
  });

  it('ends a hanging service within duration plus the request timeout', async () => {
    const target = await serve(() => {
      /* never answers */
    });
    const started = performance.now();
    const result = await runLoadTest({ url: target.url, ratePerSecond: 20, durationMs: 500, requestTimeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(500 + 300 + 500);
    expect(result.errors.timeout).toBe(10);
    expect(result.ok).toBe(0);
    expect(result.latencyMs.p95).toBeGreaterThanOrEqual(300);
    expect(result.samples[0]).toBe('timeout: no full answer within 300 ms');
  });

  it('never follows a redirect, on or off the host', async () => {
    let followed = 0;
    const target = await serve((req, res) => {
      if (req.url === '/elsewhere') followed++;
      res.writeHead(302, { location: req.url === '/predict' ? 'http://example.com/' : '/elsewhere' }).end();
    });
    const result = await runLoadTest({ url: target.url, ratePerSecond: 50, durationMs: 200 });
    expect(result.errors.redirect).toBe(10);
    expect(followed).toBe(0);
    expect(result.samples[0]).toBe('redirect: status 302 redirect to http://example.com/ (not followed)');
  });

  it('stops reading a flood at the body cap', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    const target = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      let sent = 0;
      const pump = (): void => {
        while (sent < 50 && res.write(chunk)) sent++;
        if (sent < 50 && !res.destroyed) res.once('drain', pump);
        else res.end();
      };
      res.on('close', () => (sent = 50));
      pump();
    });
    const started = performance.now();
    const result = await runLoadTest({ url: target.url, ratePerSecond: 10, durationMs: 300, maxBodyBytes: 64 * 1024 });
    expect(result.errors['body-too-large']).toBe(3);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('counts error statuses, garbage bodies and refused connections by kind', async () => {
    let n = 0;
    const target = await serve((_req, res) => {
      n++;
      if (n % 2 === 0) res.writeHead(500).end('Internal Server Error');
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>');
    });
    const isOk = (status: number, body: string): boolean => status === 200 && body.startsWith('{');
    const result = await runLoadTest({ url: target.url, ratePerSecond: 40, durationMs: 250, isOk });
    expect(result.errors.status).toBe(5);
    expect(result.errors['bad-body']).toBe(5);
    expect(result.samples).toContain('status: status 500: Internal Server Error');
    expect(result.samples).toContain('bad-body: status 200 with an unexpected body: <html>hello</html>');

    const closed = await serve((_req, res) => okJson(res));
    const port = new URL(closed.url).port;
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    const refused = await runLoadTest({ url: `http://127.0.0.1:${port}/`, ratePerSecond: 20, durationMs: 100 });
    expect(refused.errors.connection).toBe(2);
    expect(refused.samples[0]).toMatch(/connection: ECONNREFUSED/);
  });

  it('refuses targets off this machine and unbounded options', async () => {
    const code = async (p: Promise<unknown>): Promise<string | undefined> =>
      await p.then(
        () => undefined,
        (e: unknown) => (e instanceof EvidenceError ? e.code : String(e)),
      );
    expect(await code(runLoadTest({ url: 'http://example.com/', ratePerSecond: 1, durationMs: 10 }))).toBe('LOAD_TARGET_NOT_LOOPBACK');
    expect(await code(runLoadTest({ url: 'https://127.0.0.1:1/', ratePerSecond: 1, durationMs: 10 }))).toBe('LOAD_TARGET_NOT_LOOPBACK');
    expect(await code(runLoadTest({ url: 'not a url', ratePerSecond: 1, durationMs: 10 }))).toBe('LOAD_TARGET_INVALID');
    expect(await code(runLoadTest({ url: 'http://127.0.0.1:1/', ratePerSecond: 1e6, durationMs: 10 }))).toBe('LOAD_OPTIONS_INVALID');
    expect(await code(runLoadTest({ url: 'http://127.0.0.1:1/', ratePerSecond: 1, durationMs: 3_600_000 }))).toBe('LOAD_OPTIONS_INVALID');
  });

  it('ends early when aborted', async () => {
    const target = await serve((_req, res) => okJson(res));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await runLoadTest({ url: target.url, ratePerSecond: 20, durationMs: 10_000, signal: controller.signal });
    expect(result.aborted).toBe(true);
    expect(result.due).toBeLessThan(10);
  });
});
