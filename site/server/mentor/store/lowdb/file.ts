/**
 * Reading and writing the mentor store's JSON file.
 *
 * The file is one JSON document, written with one record per line:
 *
 *   {"format":"mlops-lab-mentor-store","version":1,
 *   "mentors":[
 *   {...},
 *   {...}
 *   ],
 *   ...
 *   "attempts":[
 *   {...}
 *   ]}
 *
 * so that 200 000 attempts (a few hundred MB) are written as a stream of
 * lines and read back line by line, never as one string (V8 caps a string
 * at about 512 MiB). A file in any other JSON layout (edited by hand, an
 * older version) is read with JSON.parse. Writes go to `<file>.tmp`, are
 * flushed and renamed over the file, then the folder is flushed: a process
 * killed mid-write leaves the previous file.
 */
import { open, readFile, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Adapter } from 'lowdb';
import type { z } from 'zod';
import { MentorStoreError } from '../types.ts';
import {
  COLLECTIONS,
  MENTOR_FILE_FORMAT,
  MENTOR_FILE_VERSION,
  MentorFileSchema,
  MentorFileV0Schema,
  migrateV0,
  type MentorFile,
} from './layout.ts';

/** What a read found: the data and the version the file was in. */
export interface LoadedFile {
  data: MentorFile;
  /** The layout version the file was in (lower than MENTOR_FILE_VERSION when it was migrated in memory). */
  version: number;
}

// Past this, a file not in the line layout cannot be parsed as one string.
const MAX_WHOLE_PARSE_BYTES = 400 * 1024 * 1024;
const WRITE_CHUNK_CHARS = 1024 * 1024;

/** A lowdb adapter for the mentor file; `read` resolves to null when the file does not exist. */
export class MentorFileAdapter implements Adapter<LoadedFile> {
  readonly file: string;
  readonly #advice: string;

  constructor(file: string) {
    this.file = file;
    this.#advice = `Move it aside (keep it: it holds the cohorts' attempts) and start the mentor server again to begin a fresh store: mv ${shellQuote(file)} ${shellQuote(`${file}.broken`)}`;
  }

  async read(): Promise<LoadedFile | null> {
    let buffer: Buffer;
    try {
      buffer = await readFile(this.file);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw new MentorStoreError(
        'STORE_UNREADABLE',
        `Could not read the mentor store ${this.file}: ${describeError(error)}.`,
        `Check that the mentor server can read it: ls -l ${shellQuote(this.file)}`,
        { cause: error },
      );
    }
    let json: unknown = readLineLayout(buffer);
    if (json === undefined) {
      if (buffer.length > MAX_WHOLE_PARSE_BYTES) {
        throw new MentorStoreError(
          'STORE_TOO_LARGE',
          `The mentor store ${this.file} is ${Math.round(buffer.length / 1024 / 1024)} MiB and not in the line layout this server writes, so it cannot be read in one piece. It was left untouched.`,
          'Move the cohorts to PostgreSQL (MLOPS_LAB_MENTOR_STORE=postgres://…), which has no such limit.',
        );
      }
      try {
        json = JSON.parse(buffer.toString('utf8'));
      } catch (error) {
        throw this.#corrupt(`it is not valid JSON (${describeError(error)})`, error);
      }
    }
    return this.#decode(json);
  }

  async write(loaded: LoadedFile): Promise<void> {
    const temp = `${this.file}.tmp`;
    const step = async <V>(what: string, run: () => Promise<V>): Promise<V> => {
      try {
        return await run();
      } catch (error) {
        throw new MentorStoreError(
          'STORE_UNWRITABLE',
          `Could not ${what} the mentor store ${this.file}: ${describeError(error)}. The previous file is unchanged.`,
          `Check that the disk is not full and that the mentor server can write to the folder: ls -ld ${shellQuote(dirname(this.file))}`,
          { cause: error },
        );
      }
    };
    // One writer at a time holds the lock, so a fixed temp name is safe, and
    // one left by a killed writer is simply overwritten.
    const handle = await step('write', () => open(temp, 'w'));
    try {
      let chunk = '';
      const flush = async (): Promise<void> => {
        if (chunk.length === 0) return;
        const text = chunk;
        chunk = '';
        await step('write', () => handle.write(text));
      };
      const put = async (text: string): Promise<void> => {
        chunk += text;
        if (chunk.length >= WRITE_CHUNK_CHARS) await flush();
      };
      const { data } = loaded;
      await put(`{"format":${JSON.stringify(data.format)},"version":${data.version},\n`);
      for (const [c, name] of COLLECTIONS.entries()) {
        await put(`${JSON.stringify(name)}:[\n`);
        const records: readonly unknown[] = data[name];
        for (let i = 0; i < records.length; i++) {
          // Not kept between writes: 200 000 lines would hold the file's size in memory again.
          const line = JSON.stringify(records[i]);
          await put(i < records.length - 1 ? `${line},\n` : `${line}\n`);
        }
        await put(c < COLLECTIONS.length - 1 ? '],\n' : ']}\n');
      }
      await flush();
      await step('flush', () => handle.sync());
    } finally {
      await handle.close().catch(() => undefined);
    }
    await step('replace', () => rename(temp, this.file));
    await syncFolder(dirname(this.file));
  }

  /** Validates (and migrates in memory) a parsed file. Throws, never returns partial data. */
  #decode(json: unknown): LoadedFile {
    const header = isRecord(json) ? json : {};
    if (header.format !== MENTOR_FILE_FORMAT) {
      const found = isRecord(json)
        ? `format ${JSON.stringify(header.format ?? null)}`
        : `a JSON ${Array.isArray(json) ? 'array' : typeof json}`;
      throw this.#corrupt(`it is not a mentor store (expected "format": "${MENTOR_FILE_FORMAT}", found ${found})`);
    }
    const version = header.version;
    if (typeof version === 'number' && version > MENTOR_FILE_VERSION) {
      throw new MentorStoreError(
        'STORE_TOO_NEW',
        `The mentor store ${this.file} has layout version ${version}; this mlops-lab understands up to version ${MENTOR_FILE_VERSION}. It was left untouched.`,
        'Update mlops-lab on this server (git pull && npm install) and start it again.',
      );
    }
    if (version === 0) {
      const parsed = MentorFileV0Schema.safeParse(json);
      if (!parsed.success) throw this.#corrupt(`it does not match mentor store layout 0 (${summarizeIssues(parsed.error)})`, parsed.error);
      return { data: migrateV0(parsed.data), version: 0 };
    }
    const parsed = MentorFileSchema.safeParse(json);
    if (!parsed.success) {
      throw this.#corrupt(
        `it does not match the mentor store layout ${MENTOR_FILE_VERSION} (${summarizeIssues(parsed.error)})`,
        parsed.error,
      );
    }
    return { data: parsed.data, version: MENTOR_FILE_VERSION };
  }

  #corrupt(why: string, cause?: unknown): MentorStoreError {
    return new MentorStoreError(
      'STORE_CORRUPT',
      `The mentor store ${this.file} cannot be used: ${why}. It was left untouched.`,
      this.#advice,
      {
        cause,
      },
    );
  }
}

/**
 * Parses a file written in the line layout (see the top of this file).
 * Returns undefined for anything else, so the caller falls back to JSON.parse
 * (which also produces the error message for a broken file).
 */
function readLineLayout(buffer: Buffer): Record<string, unknown> | undefined {
  const text = (start: number, end: number) => buffer.toString('utf8', start, end);
  let pos = 0;
  const nextLine = (): string | undefined => {
    if (pos >= buffer.length) return undefined;
    let end = buffer.indexOf(10, pos);
    if (end === -1) end = buffer.length;
    const line = text(pos, end);
    pos = end + 1;
    return line;
  };
  try {
    const first = nextLine();
    if (!first?.startsWith('{') || !first.endsWith(',')) return undefined;
    const json = JSON.parse(`${first.slice(0, -1)}}`) as unknown;
    if (!isRecord(json)) return undefined;
    for (const [c, name] of COLLECTIONS.entries()) {
      if (nextLine() !== `${JSON.stringify(name)}:[`) return undefined;
      const closing = c < COLLECTIONS.length - 1 ? '],' : ']}';
      const records: unknown[] = [];
      let sawLast = false;
      for (;;) {
        const line = nextLine();
        if (line === undefined) return undefined;
        if (line === closing) break;
        if (sawLast) return undefined;
        const body = line.endsWith(',') ? line.slice(0, -1) : line;
        sawLast = body === line;
        records.push(JSON.parse(body));
      }
      if (records.length > 0 && !sawLast) return undefined;
      json[name] = records;
    }
    const rest = nextLine();
    if ((rest !== undefined && rest !== '') || nextLine() !== undefined) return undefined;
    return json;
  } catch {
    return undefined;
  }
}

/** Changes whenever the file is replaced or rewritten; null when it does not exist. */
export async function identityOf(file: string): Promise<string | null> {
  try {
    const s = await stat(file, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

async function syncFolder(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open or fsync a folder; the rename is as durable as it gets there.
  }
}

/** Up to three zod issues as `path: message`. */
export function summarizeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 3).map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`);
  const more = error.issues.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function errorCode(error: unknown): string | undefined {
  return isRecord(error) && typeof error.code === 'string' ? error.code : undefined;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A path as a shell argument, quoted only when it needs to be. */
export function shellQuote(p: string): string {
  return /^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}
