/**
 * What `mlops-lab sync` remembers between runs, per mentor server: its
 * token, the attempt ids it acknowledged and the ones it rejected (with the
 * reason). One small JSON file in the data home, readable by its owner
 * only (it holds tokens), replaced atomically on every write.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { StoreError, UsageError } from '../errors.ts';
import { dataHome } from '../paths.ts';

export const SYNC_STATE_FORMAT = 'mlops-lab-sync';
export const SYNC_STATE_VERSION = 1;

const RejectionSchema = z
  .object({
    /** Why the server refused it: ATTEMPT_INVALID, LAB_UNKNOWN, CHECK_UNKNOWN, CONFLICT, … */
    code: z.string(),
    /** The server's explanation. */
    message: z.string(),
    /** When it was refused (ISO 8601). */
    at: z.string(),
  })
  .strict();
export type Rejection = z.infer<typeof RejectionSchema>;

const ServerStateSchema = z
  .object({
    /** The learner's sync token for this server (the mentor gave it). */
    token: z.string().min(1),
    /** Attempt ids the server stored (or already had): never sent again. */
    acknowledged: z.array(z.string()).default([]),
    /** Attempt ids the server refused, by id: sent again only with `--retry-rejected`. */
    rejected: z.record(z.string(), RejectionSchema).default({}),
    /** When this machine last synced with the server (ISO 8601). */
    lastSyncAt: z.string().optional(),
  })
  .strict();
export type ServerState = z.infer<typeof ServerStateSchema>;

export const SyncStateSchema = z
  .object({
    /** Always `mlops-lab-sync`. */
    format: z.literal(SYNC_STATE_FORMAT),
    /** Layout version, see SYNC_STATE_VERSION. */
    version: z.literal(SYNC_STATE_VERSION),
    /** The server `mlops-lab sync` uses without `--server`: the last one given. */
    current: z.string().optional(),
    /** Per server URL (normalised, see serverKey). */
    servers: z.record(z.string(), ServerStateSchema).default({}),
  })
  .strict();
export type SyncState = z.infer<typeof SyncStateSchema>;

/** The state file inside the data home. */
export function syncStateFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataHome(env), 'sync.json');
}

export function emptySyncState(): SyncState {
  return { format: SYNC_STATE_FORMAT, version: SYNC_STATE_VERSION, servers: {} };
}

/**
 * A server URL as the state keys it: `http(s)://host[:port][/path]`, no
 * trailing slash, no query; a usage error naming the value otherwise.
 */
export function serverKey(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UsageError(
      'SYNC_SERVER_INVALID',
      `"${raw}" is not a server URL.`,
      'Pass the address your mentor gave you, e.g. --server https://mentor.example.org',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      'SYNC_SERVER_INVALID',
      `"${raw}" is not an http(s) URL.`,
      'Pass the address your mentor gave you, e.g. --server https://mentor.example.org',
    );
  }
  if (url.username || url.password) {
    throw new UsageError(
      'SYNC_SERVER_INVALID',
      'The server URL must not carry a user name or password.',
      'Pass the token with --token instead.',
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The state file's content; an absent file reads as empty. A corrupt or newer one is refused, naming the file. */
export async function readSyncState(file: string): Promise<SyncState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptySyncState();
    throw new StoreError(
      'SYNC_STATE_UNREADABLE',
      `Could not read the sync state ${file}: ${(error as Error).message}.`,
      `Check its permissions: ls -l ${file}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const record = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  if (record.format === SYNC_STATE_FORMAT && typeof record.version === 'number' && record.version > SYNC_STATE_VERSION) {
    throw new StoreError(
      'SYNC_STATE_TOO_NEW',
      `The sync state ${file} was written by a newer mlops-lab (version ${record.version}).`,
      'Update mlops-lab (git pull && npm install) and sync again.',
    );
  }
  const parsed = SyncStateSchema.safeParse(json);
  if (!parsed.success) {
    throw new StoreError(
      'SYNC_STATE_CORRUPT',
      `The sync state ${file} cannot be used: ${parsed.error.issues[0]?.path.join('.') || 'the file'}: ${parsed.error.issues[0]?.message ?? 'not valid JSON'}. It was left untouched.`,
      `Move it aside and sync again (every attempt is sent once more; the server keeps no duplicates): mv ${file} ${file}.broken`,
    );
  }
  return parsed.data;
}

/**
 * Replaces the state file atomically: a temporary file created with mode
 * 0600, flushed, then renamed over the old one (a crash leaves the old file).
 */
export async function writeSyncState(file: string, state: SyncState): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(SyncStateSchema.parse(state), null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    // The umask cannot widen it, but an old file's mode does not carry over either: say it once more.
    await chmod(temp, 0o600);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw new StoreError(
      'SYNC_STATE_UNWRITABLE',
      `Could not write the sync state ${file}: ${(error as Error).message}.`,
      `Check that you can write to ${dirname(file)}.`,
    );
  }
  try {
    const dir = await open(dirname(file), 'r');
    await dir.sync().finally(() => dir.close());
  } catch {
    // Not every file system can flush a folder; the rename is done either way.
  }
}
