/**
 * The scrollback of a terminal session: the most recent `capacity` bytes of
 * its output, replayed when a socket re-attaches.
 *
 * UTF-8: the buffer stores bytes and may cut a multi-byte character when it
 * drops old output. It then also drops the orphaned continuation bytes
 * (10xxxxxx, at most 3) at the start, so a replay always begins on a
 * character boundary and never shows a U+FFFD. The end is never cut (it is
 * the latest output, possibly a character the pty has not finished: the
 * next chunk completes it, just as on a live socket). An escape sequence
 * cut at the start may show as a few stray characters; the terminal
 * recovers at the next sequence.
 */
export class RingBuffer {
  readonly capacity: number;
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  /** Bytes held now (at most `capacity`). */
  get size(): number {
    return this.#size;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let cut = false;
    if (data.length >= this.capacity) {
      this.#chunks = [];
      this.#size = 0;
      cut = data.length > this.capacity;
      data = data.subarray(data.length - this.capacity);
    }
    // Copy: the caller may reuse its buffer.
    this.#chunks.push(Buffer.from(data));
    this.#size += data.length;
    if (this.#trim() || cut) this.#dropLeadingContinuationBytes();
  }

  /** Everything held, oldest first, as one buffer. */
  snapshot(): Buffer {
    return Buffer.concat(this.#chunks, this.#size);
  }

  clear(): void {
    this.#chunks = [];
    this.#size = 0;
  }

  /** Drops the oldest bytes beyond the capacity; whether it dropped any. */
  #trim(): boolean {
    let excess = this.#size - this.capacity;
    if (excess <= 0) return false;
    while (excess > 0) {
      const first = this.#chunks[0]!;
      if (first.length <= excess) {
        this.#chunks.shift();
        this.#size -= first.length;
        excess -= first.length;
      } else {
        this.#chunks[0] = first.subarray(excess);
        this.#size -= excess;
        excess = 0;
      }
    }
    return true;
  }

  #dropLeadingContinuationBytes(): void {
    for (let dropped = 0; dropped < 3 && this.#chunks.length > 0;) {
      const first = this.#chunks[0]!;
      if (first.length === 0) {
        this.#chunks.shift();
        continue;
      }
      if ((first[0]! & 0xc0) !== 0x80) return;
      const rest = first.subarray(1);
      this.#size -= 1;
      dropped += 1;
      if (rest.length === 0) this.#chunks.shift();
      else this.#chunks[0] = rest;
    }
  }
}
