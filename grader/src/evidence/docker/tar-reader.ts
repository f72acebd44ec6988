/**
 * A small streaming tar reader for `docker save` archives and the layer
 * archives inside them: headers are read one at a time and bodies are
 * skipped or read with a cap, so a multi-gigabyte image never sits in
 * memory. Understands ustar, pax (`x`) and GNU long-name (`L`) headers.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import * as zlib from 'node:zlib';

/** Pulls bytes from a stream of chunks without copying more than it returns. */
export interface ByteSource {
  /** Up to `n` bytes; fewer only at the end of the data. */
  read(n: number): Promise<Buffer>;
  /** Discards up to `n` bytes; returns how many were discarded. */
  skip(n: number): Promise<number>;
}

export class ChunkReader implements ByteSource {
  readonly #source: AsyncIterator<Buffer | Uint8Array | string> | Iterator<Buffer | Uint8Array | string>;
  #chunks: Buffer[] = [];
  #offset = 0;
  #available = 0;
  #ended = false;
  /** Bytes handed out or skipped so far. */
  consumed = 0;

  constructor(source: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>) {
    this.#source = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  }

  async #more(): Promise<boolean> {
    if (this.#ended) return false;
    const next = await this.#source.next();
    if (next.done) {
      this.#ended = true;
      return false;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#available += chunk.length;
    }
    return true;
  }

  async read(n: number): Promise<Buffer> {
    while (this.#available < n && (await this.#more()));
    const take = Math.min(n, this.#available);
    const first = this.#chunks[0];
    let out: Buffer;
    if (first && first.length - this.#offset >= take) {
      out = first.subarray(this.#offset, this.#offset + take);
      this.#advance(take);
    } else {
      const parts: Buffer[] = [];
      let left = take;
      while (left > 0) {
        const chunk = this.#chunks[0]!;
        const part = chunk.subarray(this.#offset, this.#offset + Math.min(left, chunk.length - this.#offset));
        parts.push(part);
        left -= part.length;
        this.#advance(part.length);
      }
      out = Buffer.concat(parts);
    }
    return out;
  }

  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      if (this.#available === 0 && !(await this.#more())) break;
      const chunk = this.#chunks[0];
      if (!chunk) continue;
      const step = Math.min(left, chunk.length - this.#offset);
      this.#advance(step);
      left -= step;
    }
    return n - left;
  }

  #advance(n: number): void {
    this.#offset += n;
    this.#available -= n;
    this.consumed += n;
    while (this.#chunks.length > 0 && this.#offset >= this.#chunks[0]!.length) {
      this.#offset -= this.#chunks[0]!.length;
      this.#chunks.shift();
    }
  }
}

/** At most `limit` bytes of another source: the body of one tar entry. */
export class LimitedSource implements ByteSource {
  readonly #parent: ByteSource;
  #left: number;

  constructor(parent: ByteSource, limit: number) {
    this.#parent = parent;
    this.#left = limit;
  }

  get left(): number {
    return this.#left;
  }

  async read(n: number): Promise<Buffer> {
    const out = await this.#parent.read(Math.min(n, this.#left));
    this.#left -= out.length;
    return out;
  }

  async skip(n: number): Promise<number> {
    const skipped = await this.#parent.skip(Math.min(n, this.#left));
    this.#left -= skipped;
    return skipped;
  }

  /** Discards what is left, so the parent stands at the next entry; errors when the data ends first. */
  async drain(): Promise<void> {
    while (this.#left > 0) {
      const skipped = await this.skip(this.#left);
      if (skipped === 0) throw new Error(`the archive is truncated: ${this.#left} bytes of an entry are missing`);
    }
  }

  async *chunks(size = 64 * 1024): AsyncGenerator<Buffer> {
    for (;;) {
      const chunk = await this.read(size);
      if (chunk.length === 0) return;
      yield chunk;
    }
  }
}

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  /** Path inside the archive, without a leading `./` or `/`. */
  path: string;
  size: number;
  type: TarEntryType;
  /** The entry's content; read it or leave it, the reader skips what is left. */
  body: LimitedSource;
}

/** The entries of a tar archive, in order. Stops at the end-of-archive marker or the end of the data. */
export async function* tarEntries(source: ByteSource): AsyncGenerator<TarEntry> {
  let longName: string | undefined;
  let paxPath: string | undefined;
  let paxSize: number | undefined;
  for (;;) {
    const header = await source.read(512);
    if (header.length < 512) return;
    if (header.every((b) => b === 0)) return;
    if (!validChecksum(header)) throw new Error('not a tar archive (bad header checksum)');
    const typeflag = String.fromCharCode(header[156]!);
    const size = paxSize ?? octal(header, 124, 12);
    const body = new LimitedSource(source, size);
    const padding = (512 - (size % 512)) % 512;
    if (typeflag === 'x' || typeflag === 'L') {
      const data = await body.read(Math.min(size, 1024 * 1024));
      await body.drain();
      await source.skip(padding);
      if (typeflag === 'L') longName = data.toString('utf8').replace(/\0+$/, '');
      else ({ path: paxPath, size: paxSize } = parsePax(data));
      continue;
    }
    if (typeflag === 'g' || typeflag === 'K') {
      await body.drain();
      await source.skip(padding);
      continue;
    }
    const magic = header.subarray(257, 262).toString('latin1');
    const name = cstring(header, 0, 100);
    const prefix = magic === 'ustar' ? cstring(header, 345, 155) : '';
    const path = (paxPath ?? longName ?? (prefix ? `${prefix}/${name}` : name)).replace(/^(\.\/|\/)+/, '');
    longName = paxPath = paxSize = undefined;
    yield { path, size, type: entryType(typeflag), body };
    await body.drain();
    await source.skip(padding);
  }
}

/** What a layer blob is, from its first bytes. */
export function blobKind(head: Buffer): 'tar' | 'gzip' | 'zstd' | 'other' {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (head.length >= 512 && (head.subarray(257, 262).toString('latin1') === 'ustar' || (head.every((b) => b === 0) && head.length >= 1024)))
    return 'tar';
  if (head.length >= 512 && validChecksum(head.subarray(0, 512))) return 'tar';
  return 'other';
}

/**
 * A byte source over a possibly compressed blob whose first bytes were
 * already read: `head` followed by the rest of `body`.
 */
export function decompressedSource(kind: 'tar' | 'gzip' | 'zstd', head: Buffer, body: LimitedSource): ByteSource {
  async function* raw(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    yield* body.chunks();
  }
  if (kind === 'tar') return new ChunkReader(raw());
  const zstd = (zlib as unknown as { createZstdDecompress?: () => NodeJS.ReadWriteStream }).createZstdDecompress;
  if (kind === 'zstd' && !zstd) throw new Error('this Node.js cannot read zstd-compressed layers');
  const decompress = kind === 'gzip' ? createGunzip() : zstd!();
  const input = Readable.from(raw());
  input.on('error', (error) => (decompress as unknown as Readable).destroy(error));
  input.pipe(decompress as unknown as NodeJS.WritableStream);
  return new ChunkReader(decompress as unknown as AsyncIterable<Buffer>);
}

function entryType(flag: string): TarEntryType {
  if (flag === '0' || flag === '\0' || flag === '7') return 'file';
  if (flag === '5') return 'directory';
  if (flag === '2') return 'symlink';
  if (flag === '1') return 'hardlink';
  return 'other';
}

function cstring(buf: Buffer, start: number, length: number): string {
  const slice = buf.subarray(start, start + length);
  const end = slice.indexOf(0);
  return slice.subarray(0, end === -1 ? slice.length : end).toString('utf8');
}

function octal(buf: Buffer, start: number, length: number): number {
  const field = buf.subarray(start, start + length);
  if (field[0]! & 0x80) {
    // GNU base-256 for sizes of 8 GiB and more.
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const text = cstring(buf, start, length).trim();
  return text ? parseInt(text, 8) : 0;
}

function validChecksum(header: Buffer): boolean {
  const stored = octal(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
  return sum === stored;
}

/** Pax records are `<length> <key>=<value>\n`, the length counted in bytes. */
function parsePax(data: Buffer): { path?: string; size?: number } {
  const out: { path?: string; size?: number } = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const length = Number(data.subarray(pos, space).toString('latin1'));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, pos + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') out.path = value;
    if (key === 'size' && /^\d+$/.test(value)) out.size = Number(value);
    pos += length;
  }
  return out;
}
