/**
 * `mlops-lab sync`: sends the learner's attempts from the progress store
 * to a mentor server, in batches, and remembers per server what it
 * acknowledged, so nothing is sent twice and nothing is lost when the
 * server cannot be reached (the attempts stay queued in the store).
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { z } from 'zod';
import { EnvironmentError, UsageError } from '../errors.ts';
import { currentLearner } from '../learner.ts';
import { storeFile } from '../paths.ts';
import type { AttemptResult } from '../result/schema.ts';
import { ProgressStore } from '../store/store.ts';
import { graderVersion } from '../version.ts';
import { readSyncState, serverKey, syncStateFile, writeSyncState, type Rejection, type ServerState } from './state.ts';

/** At most this many attempts per request (the server refuses more). */
export const MAX_BATCH_ATTEMPTS = 500;
/** At most this many bytes of JSON per request (the server's cap is 8 MiB). */
export const MAX_BATCH_BYTES = 6 * 1024 * 1024;
const REQUEST_TIMEOUT_MS = 30_000;

const SyncAnswerSchema = z
  .object({
    accepted: z.array(z.string()),
    duplicates: z.array(z.string()),
    conflicts: z.array(z.string()),
    rejected: z.array(z.object({ attemptId: z.string(), code: z.string(), message: z.string() }).loose()),
    warnings: z.array(z.object({ code: z.string(), message: z.string() }).loose()).default([]),
  })
  .loose();

export interface SyncOptions {
  /** The mentor server; default: the one used last. */
  server?: string;
  /** The learner's token; default: the one remembered for the server. */
  token?: string;
  /** Send attempts the server rejected before once more. */
  retryRejected?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Attempts per request (tests use small batches). Default 500, at most 500. */
  batchSize?: number;
}

export interface SyncReport {
  server: string;
  learner: string;
  /** Attempts in the store of this learner. */
  total: number;
  /** Attempts sent in this run. */
  sent: number;
  accepted: string[];
  duplicates: string[];
  conflicts: string[];
  rejected: { attemptId: string; code: string; message: string }[];
  warnings: { code: string; message: string }[];
  /** Attempts the server had refused before and that were not sent again (`--retry-rejected` sends them). */
  previouslyRejected: number;
  /** Attempts not yet acknowledged by the server after this run. */
  queued: number;
  stateFile: string;
}

/** Thrown (after saving what was acknowledged) when the server cannot take the attempts now. */
export class SyncQueuedError extends EnvironmentError {
  readonly report: SyncReport;
  constructor(report: SyncReport, why: string) {
    super(
      'SYNC_QUEUED',
      `${report.queued} attempt${report.queued === 1 ? '' : 's'} queued; run \`mlops-lab sync\` again when the server is reachable (${why}).`,
      `Nothing is lost: they stay in your progress store. Check the address (${report.server}) and your network, then run \`mlops-lab sync\`.`,
    );
    this.report = report;
  }
}

/** Batches of at most `size` attempts and MAX_BATCH_BYTES of JSON. */
export function batches(attempts: readonly AttemptResult[], size = MAX_BATCH_ATTEMPTS): AttemptResult[][] {
  const out: AttemptResult[][] = [];
  let current: AttemptResult[] = [];
  let bytes = 0;
  for (const a of attempts) {
    const n = Buffer.byteLength(JSON.stringify(a)) + 1;
    if (current.length > 0 && (current.length >= size || bytes + n > MAX_BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(a);
    bytes += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Holds the state file's lock for the run: two syncs at once would send the same attempts twice. */
async function lockState(file: string): Promise<() => Promise<void>> {
  try {
    const release = await lockfile.lock(file, {
      realpath: false,
      stale: 30_000,
      retries: { retries: 20, minTimeout: 50, maxTimeout: 250 },
      onCompromised: () => {},
    });
    return () => release().catch(() => undefined);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new UsageError(
        'SYNC_RUNNING',
        'Another `mlops-lab sync` is running.',
        `Wait for it to finish and run \`mlops-lab sync\` again (lock: ${file}.lock).`,
      );
    }
    throw error;
  }
}

/** Sends what the server has not acknowledged yet. Throws SyncQueuedError when the server is unreachable or failing. */
export async function syncAttempts(options: SyncOptions = {}): Promise<SyncReport> {
  const env = options.env ?? process.env;
  const file = syncStateFile(env);
  const size = Math.min(Math.max(1, options.batchSize ?? MAX_BATCH_ATTEMPTS), MAX_BATCH_ATTEMPTS);
  const initial = await readSyncState(file);
  const server = options.server !== undefined ? serverKey(options.server) : initial.current;
  if (!server) {
    throw new UsageError(
      'SYNC_SERVER_REQUIRED',
      'No mentor server to sync with yet.',
      'Run `mlops-lab sync --server <url> --token <token>` with the address and token your mentor gave you; later runs remember them.',
    );
  }
  const token = options.token?.trim() || initial.servers[server]?.token;
  if (!token) {
    throw new UsageError(
      'SYNC_TOKEN_REQUIRED',
      `No sync token for ${server} yet.`,
      `Run \`mlops-lab sync --server ${server} --token <token>\` with the token your mentor gave you.`,
    );
  }
  await mkdir(dirname(file), { recursive: true });
  const release = await lockState(file);
  try {
    const state = await readSyncState(file);
    const entry: ServerState = { acknowledged: [], rejected: {}, ...state.servers[server], token };
    state.servers[server] = entry;
    state.current = server;
    // Remember the server and token first: an offline first run still needs no flags the next time.
    await writeSyncState(file, state);

    const learner = currentLearner(env);
    const all = await ProgressStore.open(storeFile(env)).attempts({ learner });
    const acknowledged = new Set(entry.acknowledged);
    const unsent = all.filter((a) => !acknowledged.has(a.attemptId));
    const pending = unsent.filter((a) => options.retryRejected || entry.rejected[a.attemptId] === undefined);
    const report: SyncReport = {
      server,
      learner,
      total: all.length,
      sent: 0,
      accepted: [],
      duplicates: [],
      conflicts: [],
      rejected: [],
      warnings: [],
      previouslyRejected: unsent.length - pending.length,
      queued: pending.length,
      stateFile: file,
    };

    for (const batch of batches(pending, size)) {
      const answer = await postBatch(server, token, batch, report);
      const now = new Date().toISOString();
      report.sent += batch.length;
      for (const id of [...answer.accepted, ...answer.duplicates]) {
        if (!acknowledged.has(id)) entry.acknowledged.push(id);
        acknowledged.add(id);
        delete entry.rejected[id];
      }
      for (const id of answer.conflicts) {
        entry.rejected[id] = {
          code: 'CONFLICT',
          message: 'The server already holds an attempt with this id for another learner, or with other content; it kept that one.',
          at: now,
        };
      }
      for (const r of answer.rejected) entry.rejected[r.attemptId] = { code: r.code, message: r.message, at: now } satisfies Rejection;
      entry.lastSyncAt = now;
      await writeSyncState(file, state);
      report.accepted.push(...answer.accepted);
      report.duplicates.push(...answer.duplicates);
      report.conflicts.push(...answer.conflicts);
      report.rejected.push(...answer.rejected.map((r) => ({ attemptId: r.attemptId, code: r.code, message: r.message })));
      report.warnings.push(...answer.warnings.map((w) => ({ code: w.code, message: w.message })));
      report.queued = pending.length - report.sent;
    }
    report.queued = all.filter(
      (a) => !acknowledged.has(a.attemptId) && (options.retryRejected || entry.rejected[a.attemptId] === undefined),
    ).length;
    return report;
  } finally {
    await release();
  }
}

async function postBatch(
  server: string,
  token: string,
  batch: AttemptResult[],
  report: SyncReport,
): Promise<z.infer<typeof SyncAnswerSchema>> {
  let response: Response;
  try {
    response = await fetch(`${server}/api/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ client: { grader: graderVersion }, attempts: batch }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      redirect: 'error',
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new SyncQueuedError(report, `${server} did not answer: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const serverError = (body as { error?: { code?: string; message?: string; nextStep?: string } } | undefined)?.error;
  if (response.status === 401) {
    throw new UsageError(
      'SYNC_TOKEN_INVALID',
      `${server} did not accept your sync token.`,
      `Ask your mentor for your token and run \`mlops-lab sync --server ${server} --token <token>\`.`,
    );
  }
  if (response.status >= 500 || response.status === 429 || response.status === 408) {
    throw new SyncQueuedError(report, `${server} answered ${response.status}${serverError?.message ? `: ${serverError.message}` : ''}`);
  }
  if (!response.ok) {
    throw new UsageError(
      'SYNC_REFUSED',
      `${server} refused the attempts (${response.status}${serverError?.code ? ` ${serverError.code}` : ''}): ${serverError?.message ?? text.slice(0, 200)}`,
      serverError?.nextStep ?? `Check that ${server} is a mentor server (MLOPS_LAB_MODE=mentor) of the same MLOps Lab version.`,
    );
  }
  const parsed = SyncAnswerSchema.safeParse(body);
  if (!parsed.success) {
    throw new UsageError(
      'SYNC_NOT_A_MENTOR_SERVER',
      `${server} answered, but not like a mentor server (${text.slice(0, 120) || 'empty body'}).`,
      'Check the address your mentor gave you: it is the mentor server, e.g. https://mentor.example.org.',
    );
  }
  return parsed.data;
}
