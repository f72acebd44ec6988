import { describe, expect, it } from 'vitest';
import { ClientMessageSchema, parseClientMessage } from './protocol.ts';

describe('terminal protocol: client messages', () => {
  it.each([
    { t: 'input', d: 'ls -la\r' },
    { t: 'input', d: '\u0003' },
    { t: 'input', d: '' },
    { t: 'resize', cols: 1, rows: 1000 },
    { t: 'ping', id: 0 },
    { t: 'ack', bytes: 65536 },
  ])('accepts %j', (message) => {
    expect(ClientMessageSchema.safeParse(message).success).toBe(true);
    expect(parseClientMessage(JSON.stringify(message))).toEqual({ ok: true, message });
  });

  it.each([
    { t: 'input' },
    { t: 'input', d: 42 },
    { t: 'input', d: 'x', extra: true },
    { t: 'resize', cols: 0, rows: 24 },
    { t: 'resize', cols: 80, rows: 1001 },
    { t: 'resize', cols: 80.5, rows: 24 },
    { t: 'resize', cols: '80', rows: 24 },
    { t: 'ping' },
    { t: 'ack', bytes: -1 },
    { t: 'ack', bytes: 1.5 },
    { t: 'hello' },
    { d: 'x' },
    [],
    null,
    'input',
  ])('rejects %j', (message) => {
    expect(ClientMessageSchema.safeParse(message).success).toBe(false);
    const parsed = parseClientMessage(JSON.stringify(message));
    expect(parsed.ok).toBe(false);
  });

  it('gives a short reason for text that is not JSON or not a message', () => {
    expect(parseClientMessage('{nope')).toEqual({ ok: false, reason: 'message is not JSON' });
    const bad = parseClientMessage(JSON.stringify({ t: 'resize', cols: 0, rows: 5 }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.reason).toContain('cols');
      expect(Buffer.byteLength(bad.reason)).toBeLessThanOrEqual(123);
    }
  });
});
