import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SseStream, StreamSet } from './sse.ts';
import { openSse } from './test-helpers.ts';

describe('SseStream', () => {
  let server: Server;
  let url: string;
  const streams = new StreamSet();
  const closed: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const stream = new SseStream(req, res, { heartbeatMs: 20 });
      streams.add(stream);
      stream.onClose(() => closed.push(req.url ?? ''));
      stream.send('hello', { text: 'line one\nline two' }, 1);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    streams.closeAll();
    await new Promise((r) => server.close(r));
  });

  it('sends events as one JSON data line, heartbeats while idle, and notices when the client leaves', async () => {
    const reader = await openSse({ url }, '/leaving');
    expect(reader.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await reader.waitFor((e) => e.event === 'hello');
    expect(reader.events[0]).toEqual({ event: 'hello', id: '1', data: { text: 'line one\nline two' } });
    await new Promise((r) => setTimeout(r, 80));
    expect(reader.comments.filter((c) => c === 'heartbeat').length).toBeGreaterThanOrEqual(2);
    reader.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toContain('/leaving');
  });

  it('ends every open stream on closeAll', async () => {
    const reader = await openSse({ url }, '/staying');
    await reader.waitFor((e) => e.event === 'hello');
    expect(streams.size).toBe(1);
    streams.closeAll();
    await reader.ended;
    expect(streams.size).toBe(0);
    expect(closed).toContain('/staying');
  });
});
