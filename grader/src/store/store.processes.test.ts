import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeAttempt } from './__fixtures__/attempts.ts';
import { StoreDataSchema, type StoreData } from './schema.ts';
import { ProgressStore } from './store.ts';

const writerScript = fileURLToPath(new URL('./__fixtures__/append-writer.ts', import.meta.url));

interface Writer {
  child: ChildProcess;
  /** Ids the writer printed, i.e. attempts whose append had resolved. */
  acked: string[];
  firstAck: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

const running = new Set<ChildProcess>();

function startWriter(file: string, count: number | 'forever', learner: string): Writer {
  const child = spawn(process.execPath, [writerScript, file, String(count), learner], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const acked: string[] = [];
  let pending = '';
  let stderr = '';
  let onFirstAck: () => void = () => undefined;
  const firstAck = new Promise<void>((r) => (onFirstAck = r));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    // A kill can cut a line short; only whole lines count as acknowledged.
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    acked.push(...lines);
    if (acked.length > 0) onFirstAck();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('close', (code, signal) => {
      running.delete(child);
      r({ code, signal });
    }),
  );
  return { child, acked, firstAck, exited, stderr: () => stderr };
}

async function readValidated(file: string): Promise<StoreData> {
  return StoreDataSchema.parse(JSON.parse(await readFile(file, 'utf8')));
}

function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what()}`)), ms)),
  ]);
}

// Deterministic delays, so a failing run can be replayed with STORE_KILL_SEED.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlops-lab-store-proc-'));
  file = join(dir, 'home', 'progress.json');
});

afterEach(async () => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
  await rm(dir, { recursive: true, force: true });
});

describe('ProgressStore', () => {
  it('returns every attempt from 4 processes appending 40 each at the same time', async () => {
    const writers = [1, 2, 3, 4].map((n) => startWriter(file, 40, `writer-${n}`));
    const results = await within(Promise.all(writers.map((w) => w.exited)), 45_000, () =>
      writers.map((w) => `${w.acked.length} acked; ${w.stderr()}`).join(' | '),
    );
    for (const [i, r] of results.entries()) {
      expect(r, writers[i]!.stderr()).toEqual({ code: 0, signal: null });
    }

    const data = await readValidated(file);
    const stored = data.attempts.map((a) => a.attemptId);
    expect(stored).toHaveLength(160);
    expect(new Set(stored).size).toBe(160);
    expect(new Set(stored)).toEqual(new Set(writers.flatMap((w) => w.acked)));
    for (const n of [1, 2, 3, 4]) {
      expect(data.attempts.filter((a) => a.learner === `writer-${n}`)).toHaveLength(40);
    }
  });

  it('returns every acknowledged attempt after writers are killed with SIGKILL at random points', async () => {
    const seed = Number(process.env.STORE_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
    // Taking over a dead writer's lock needs 1-2 s (proper-lockfile's minimum
    // stale time), so 15 kills run as 3 independent lanes of 5 to stay fast.
    const lanes = 3;
    const rounds = 5;

    async function lane(n: number): Promise<void> {
      const laneFile = join(dir, `lane-${n}`, 'progress.json');
      const random = mulberry32(seed + n);
      const acked = new Set<string>();
      for (let round = 1; round <= rounds; round++) {
        const context = `seed ${seed}, lane ${n}, round ${round}`;
        const writer = startWriter(laneFile, 'forever', `killed-${n}-${round}`);
        // The first acknowledgement proves the lock left by the previous kill
        // was taken over; kill points are then spread over the append loop.
        await within(writer.firstAck, 10_000, () => `${context}: no append acknowledged; ${writer.stderr()}`);
        await new Promise((r) => setTimeout(r, 20 + Math.floor(random() * 380)));
        writer.child.kill('SIGKILL');
        expect(await writer.exited, context).toEqual({ code: null, signal: 'SIGKILL' });
        for (const id of writer.acked) acked.add(id);

        const data = await readValidated(laneFile);
        const stored = new Set(data.attempts.map((a) => a.attemptId));
        expect(stored.size, `${context}: duplicate attempts`).toBe(data.attempts.length);
        expect(
          [...acked].filter((id) => !stored.has(id)),
          `${context}: acknowledged but lost`,
        ).toEqual([]);
      }

      // The last kill may have left its lock behind too; this process must take it over.
      const last = makeAttempt({ learner: 'after-the-kills' });
      await ProgressStore.open(laneFile, { lockTimeoutMs: 10_000 }).appendAttempt(last);
      const data = await readValidated(laneFile);
      expect(data.attempts.at(-1)?.attemptId).toBe(last.attemptId);
      expect(acked.size).toBeGreaterThanOrEqual(rounds);
    }

    await Promise.all(Array.from({ length: lanes }, (_, n) => lane(n + 1)));
  });
});
