import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../errors.ts';
import { AttemptResultSchema } from '../result/schema.ts';
import { makeAttempt } from './__fixtures__/attempts.ts';
import { StoreDataSchema } from './schema.ts';
import { ProgressStore } from './store.ts';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlops-lab-store-'));
  file = join(dir, 'data', 'progress.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectStoreError(promise: Promise<unknown>, code: string): Promise<StoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).code).toBe(code);
  return error as StoreError;
}

describe('ProgressStore', () => {
  it('returns valid attempts from the fixture factory', () => {
    for (const status of ['pass', 'fail', 'error'] as const) {
      expect(AttemptResultSchema.safeParse(makeAttempt({ status, credit: 'solution' })).success).toBe(true);
    }
  });

  it('returns an empty store when the file does not exist, and creates nothing', async () => {
    const store = ProgressStore.open(file);
    expect(await store.read()).toEqual({ format: 'mlops-lab-store', version: 1, attempts: [], events: [] });
    expect(await store.attempts()).toEqual([]);
    await expect(stat(join(dir, 'data'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('returns appended attempts in order after reopening, from a valid file in a created folder', async () => {
    const a = makeAttempt({ status: 'fail' });
    const b = makeAttempt({ status: 'pass' });
    const store = ProgressStore.open(file);
    await store.appendAttempt(a);
    await store.appendAttempt(b);

    expect(await ProgressStore.open(file).attempts()).toEqual([a, b]);
    const onDisk = StoreDataSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    expect(onDisk.attempts.map((x) => x.attemptId)).toEqual([a.attemptId, b.attemptId]);
    await expect(stat(`${file}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('returns only the attempts matching the lab and learner filter', async () => {
    const store = ProgressStore.open(file);
    const adaDocker = makeAttempt({ learner: 'ada', labId: 'containers/01-dockerfile' });
    const adaServe = makeAttempt({ learner: 'ada', labId: 'serving/01-fastapi' });
    const bobDocker = makeAttempt({ learner: 'bob', labId: 'containers/01-dockerfile' });
    for (const a of [adaDocker, adaServe, bobDocker]) await store.appendAttempt(a);

    expect(await store.attempts({ learner: 'ada' })).toEqual([adaDocker, adaServe]);
    expect(await store.attempts({ labId: 'containers/01-dockerfile' })).toEqual([adaDocker, bobDocker]);
    expect(await store.attempts({ labId: 'containers/01-dockerfile', learner: 'bob' })).toEqual([bobDocker]);
    expect(await store.attempts({ learner: 'nobody' })).toEqual([]);
  });

  it('returns without writing when the attemptId is already stored', async () => {
    const store = ProgressStore.open(file);
    const a = makeAttempt();
    await store.appendAttempt(a);
    const before = await stat(file);
    await store.appendAttempt({ ...a, status: 'fail' });

    expect(await store.attempts()).toEqual([a]);
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
  });

  it('returns every attempt when many appends from one process run at once', async () => {
    const store = ProgressStore.open(file);
    const other = ProgressStore.open(file);
    const attempts = Array.from({ length: 30 }, () => makeAttempt());
    await Promise.all(attempts.map((a, i) => (i % 2 === 0 ? store : other).appendAttempt(a)));

    const ids = (await store.attempts()).map((a) => a.attemptId);
    expect(new Set(ids)).toEqual(new Set(attempts.map((a) => a.attemptId)));
    expect(ids).toHaveLength(30);
  });

  it('returns the stored event with id and time filled in, and the first one for a repeated id', async () => {
    const store = ProgressStore.open(file);
    const started = await store.appendEvent({
      type: 'start',
      labId: 'containers/01-dockerfile',
      learner: 'ada',
      workspace: '/home/ada/labs/containers/01-dockerfile',
    });
    expect(started.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(started.at)).not.toBeNaN();

    const again = await store.appendEvent({ ...started, type: 'reset' });
    expect(again).toEqual(started);
    const solved = await store.appendEvent({
      type: 'solve',
      labId: 'containers/01-dockerfile',
      learner: 'ada',
      workspace: '/w',
      at: '2026-01-02T03:04:05.000Z',
    });
    expect(solved.at).toBe('2026-01-02T03:04:05.000Z');
    expect((await store.read()).events).toEqual([started, solved]);
  });

  it('errors if an attempt is invalid, and writes nothing', async () => {
    const store = ProgressStore.open(file);
    const bad = { ...makeAttempt(), attemptId: 'not-a-uuid' };
    const error = await expectStoreError(store.appendAttempt(bad), 'STORE_INVALID_RECORD');
    expect(error.message).toContain('attemptId');
    await expectStoreError(
      store.appendEvent({ type: 'start', labId: 'x/01-y', learner: '', workspace: '/w' }),
      'STORE_INVALID_RECORD',
    );
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  describe('with a file it cannot trust', () => {
    const cases = [
      {
        name: 'is not JSON',
        text: '{"format":"mlops-lab-store","version":1,"attempts":[{"sche',
        code: 'STORE_CORRUPT',
      },
      { name: 'is empty', text: '', code: 'STORE_CORRUPT' },
      { name: 'is JSON null', text: 'null', code: 'STORE_CORRUPT' },
      { name: 'is another JSON file', text: '{"name":"something else"}', code: 'STORE_CORRUPT' },
      {
        name: 'holds an invalid attempt',
        text: JSON.stringify({ format: 'mlops-lab-store', version: 1, attempts: [{ attemptId: 'x' }], events: [] }),
        code: 'STORE_CORRUPT',
      },
      {
        name: 'has fields this version does not know',
        text: JSON.stringify({ format: 'mlops-lab-store', version: 1, attempts: [], events: [], extra: 1 }),
        code: 'STORE_CORRUPT',
      },
      {
        name: 'has a newer layout version',
        text: JSON.stringify({ format: 'mlops-lab-store', version: 2, attempts: 'elsewhere' }),
        code: 'STORE_TOO_NEW',
      },
    ];

    for (const c of cases) {
      it(`errors if the file ${c.name}, and leaves its bytes unchanged`, async () => {
        await mkdir(join(dir, 'data'));
        await writeFile(file, c.text);
        const store = ProgressStore.open(file);

        const error = await expectStoreError(store.appendAttempt(makeAttempt()), c.code);
        expect(error.message).toContain(file);
        expect(error.nextStep).toBeTruthy();
        if (c.code === 'STORE_CORRUPT') expect(error.nextStep).toContain(`mv ${file} ${file}.broken`);
        await expectStoreError(
          store.appendEvent({ type: 'start', labId: 'a/01-b', learner: 'ada', workspace: '/w' }),
          c.code,
        );
        await expectStoreError(store.read(), c.code);
        await expectStoreError(store.attempts(), c.code);

        expect(await readFile(file, 'utf8')).toBe(c.text);
        await expect(stat(`${file}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
      });
    }
  });

  it('errors if another process holds the lock past the timeout, naming the lock', async () => {
    await mkdir(join(dir, 'data'));
    const release = await lockfile.lock(file, { realpath: false, stale: 2000 });
    try {
      const store = ProgressStore.open(file, { lockTimeoutMs: 300 });
      const started = Date.now();
      const error = await expectStoreError(store.appendAttempt(makeAttempt()), 'STORE_LOCKED');
      expect(Date.now() - started).toBeLessThan(2000);
      expect(error.message).toContain(`${file}.lock`);
      expect(error.nextStep).toContain(`rm -r ${file}.lock`);
    } finally {
      await release();
    }
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('returns after taking over a lock left behind by a dead process', async () => {
    await mkdir(`${file}.lock`, { recursive: true });
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, longAgo, longAgo);

    const a = makeAttempt();
    await ProgressStore.open(file, { lockTimeoutMs: 1000 }).appendAttempt(a);
    expect(await ProgressStore.open(file).attempts()).toEqual([a]);
  });
});
