/** Reading a whole file with a size cap, so a huge or odd file is refused before it is read. */
import { open } from 'node:fs/promises';

/** Why a file could not be read: `kind` lets each caller turn it into its own error. */
export class FileReadError extends Error {
  readonly kind: 'missing' | 'not-a-file' | 'too-large' | 'unreadable';
  constructor(kind: FileReadError['kind'], message: string) {
    super(message);
    this.name = 'FileReadError';
    this.kind = kind;
  }
}

/** The whole file, if it is a regular file of at most `limit` bytes. */
export async function readFileCapped(path: string, limit: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FileReadError('missing', `${path}: no such file`);
    throw new FileReadError('unreadable', `cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new FileReadError('not-a-file', `${path} is not a regular file`);
    if (info.size > limit) throw new FileReadError('too-large', `${path} is ${info.size} bytes; the limit is ${limit}`);
    const buffer = Buffer.alloc(info.size);
    const { bytesRead } = await handle.read(buffer, 0, info.size, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
