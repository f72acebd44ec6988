import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer.ts';

describe('RingBuffer', () => {
  it('keeps everything while under capacity', () => {
    const ring = new RingBuffer(16);
    ring.push(Buffer.from('hello '));
    ring.push(Buffer.from('world'));
    expect(ring.snapshot().toString()).toBe('hello world');
    expect(ring.size).toBe(11);
  });

  it('keeps only the most recent bytes, never more than the capacity', () => {
    const ring = new RingBuffer(10);
    for (let i = 0; i < 100; i++) {
      ring.push(Buffer.from(`${i % 10}`.repeat(3)));
      expect(ring.size).toBeLessThanOrEqual(10);
    }
    expect(ring.snapshot().toString()).toBe('6777888999');
  });

  it('takes the tail of a chunk larger than the capacity', () => {
    const ring = new RingBuffer(4);
    ring.push(Buffer.from('abc'));
    ring.push(Buffer.from('0123456789'));
    expect(ring.snapshot().toString()).toBe('6789');
  });

  it('copies what it is given', () => {
    const ring = new RingBuffer(8);
    const chunk = Buffer.from('abcd');
    ring.push(chunk);
    chunk.fill(0x7a);
    expect(ring.snapshot().toString()).toBe('abcd');
  });

  it('does not start the replay inside a UTF-8 character', () => {
    const ring = new RingBuffer(5);
    // "é" is 2 bytes, "€" 3: 'a' + 'é' + '€' + 'b' = 1 + 2 + 3 + 1 = 7 bytes; keeping 5 cuts into 'é'.
    ring.push(Buffer.from('aé€b'));
    const text = ring.snapshot();
    expect(text.toString('utf8')).toBe('€b');
    expect(ring.size).toBe(4);
    // Cutting into '€' (two of its three bytes would remain) drops them too.
    const ring2 = new RingBuffer(3);
    ring2.push(Buffer.from('€'));
    ring2.push(Buffer.from('xy'));
    expect(ring2.snapshot().toString('utf8')).toBe('xy');
  });

  it('holds a random stream of characters as its valid UTF-8 tail', () => {
    const ring = new RingBuffer(1000);
    const alphabet = ['a', 'é', '€', '😀', '\x1b[31m', '\n'];
    let all = '';
    for (let i = 0; i < 2000; i++) {
      const piece = alphabet[(i * 7919) % alphabet.length]!;
      all += piece;
      ring.push(Buffer.from(piece));
    }
    const kept = ring.snapshot();
    expect(kept.length).toBeLessThanOrEqual(1000);
    expect(kept.length).toBeGreaterThan(996);
    const text = kept.toString('utf8');
    expect(text).not.toContain('\uFFFD');
    expect(all.endsWith(text)).toBe(true);
  });
});
