/**
 * `mlops-lab sync` end to end: the real CLI (a child process) with a temp
 * data home holding stored attempts, against the real lab server in mentor
 * mode on the real lowdb store.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot, type AttemptResult, type LoadedLab } from '@mlops-lab/grader';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLabServer } from '../server.ts';
import { memoryLogger } from '../test-helpers.ts';
import { demoAttempt } from './seed.ts';
import { openMentorStore } from './store/index.ts';
import type { Cohort, MentorStore } from './store/types.ts';
import { addLearner, addMentor, realLabs } from './test-support.ts';

const CLI = resolve(repoRoot, 'grader', 'bin', 'mlops-lab.js');
const LEARNER = 'laptop-ada';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(home: string, args: string[]): Promise<Run> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [CLI, 'sync', ...args],
      { env: { ...process.env, MLOPS_LAB_HOME: home, MLOPS_LAB_LEARNER: LEARNER, NO_COLOR: '1' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

/** A progress store file holding these attempts (written as the grader writes it). */
async function writeProgress(home: string, attempts: AttemptResult[]): Promise<void> {
  await writeFile(
    join(home, 'progress.json'),
    `${JSON.stringify({ format: 'mlops-lab-store', version: 1, attempts, events: [] }, null, 2)}\n`,
  );
}

describe('mlops-lab sync', () => {
  let labs: LoadedLab[];
  let serverHome: string;
  let store: MentorStore;
  let cohort: Cohort;
  let home: string;
  let server: { url: string; port: number; close(): Promise<void> } | undefined;
  const logs: { level: string; msg: string; fields: Record<string, unknown> }[] = [];

  const startServer = async (port = 0): Promise<{ url: string; port: number; close(): Promise<void> }> =>
    createLabServer({
      port,
      env: { ...process.env, MLOPS_LAB_HOME: serverHome },
      siteDir: serverHome,
      log: memoryLogger(logs),
      mode: 'mentor',
      mentorStore: store,
    });

  const attempts = (n: number, from = Date.now() - n * 60_000): AttemptResult[] =>
    Array.from({ length: n }, (_, i) =>
      demoAttempt({
        lab: labs[i % 5]!,
        finishedAt: new Date(from + i * 60_000),
        attemptId: randomUUID(),
        learner: LEARNER,
        failing: i % 3 === 0 ? [labs[i % 5]!.manifest.checks[0]!.id] : [],
      }),
    );

  beforeAll(async () => {
    labs = await realLabs();
    serverHome = await mkdtemp(join(tmpdir(), 'mlops-lab-sync-server-'));
    store = await openMentorStore(join(serverHome, 'mentor.json'));
    const mentor = await addMentor(store, 'sync@example.org');
    cohort = await store.createCohort({ name: 'Sync', mentorId: mentor.id });
  });

  afterAll(async () => {
    await store?.close();
    await rm(serverHome, { recursive: true, force: true });
  });

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'mlops-lab-sync-home-'));
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
    await rm(home, { recursive: true, force: true });
  });

  it('returns every stored attempt on the server in batches of at most 500, then sends nothing on a rerun without flags', async () => {
    server = await startServer();
    const { learner, token } = await addLearner(store, cohort, 'Ada');
    const mine = attempts(520);
    // Another learner on the same machine: not sent.
    const someoneElse = { ...attempts(1)[0]!, learner: 'flatmate' };
    await writeProgress(home, [...mine, someoneElse]);

    const first = await runCli(home, ['--server', `${server.url}/`, '--token', token]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Synced 520 attempts to ${server.url}: 520 stored, 0 already there.`);
    const stored = await store.attemptsOf(learner.id);
    expect(stored).toHaveLength(520);
    const batches = logs.filter((l) => l.msg === 'attempts synced' && l.fields.learnerId === learner.id);
    expect(batches.map((b) => b.fields.accepted)).toEqual([500, 20]);

    const state = join(home, 'sync.json');
    expect((await stat(state)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(state, 'utf8'))).toMatchObject({ current: server.url, servers: { [server.url]: { token } } });

    const again = await runCli(home, []);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Nothing to sync: ${server.url} has all 520 of your attempts.`);
    expect(logs.filter((l) => l.msg === 'attempts synced' && l.fields.learnerId === learner.id)).toHaveLength(2);

    // A new attempt later: only it goes.
    const later = attempts(1, Date.now())[0]!;
    await writeProgress(home, [...mine, someoneElse, later]);
    const json = await runCli(home, ['--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      server: server.url,
      learner: LEARNER,
      total: 521,
      sent: 1,
      accepted: [later.attemptId],
      queued: 0,
    });
  });

  it('returns "N attempts queued" while the server is down, loses nothing, and syncs them once it is back', async () => {
    const { learner, token } = await addLearner(store, cohort, 'Grace');
    const probe = await startServer();
    const url = probe.url;
    const port = probe.port;
    await probe.close();
    const mine = attempts(7);
    await writeProgress(home, mine);

    const down = await runCli(home, ['--server', url, '--token', token]);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain('7 attempts queued; run `mlops-lab sync` again when the server is reachable');
    expect(await store.attemptsOf(learner.id)).toHaveLength(0);

    server = await startServer(port);
    const back = await runCli(home, []);
    expect(back.stderr).toBe('');
    expect(back.code).toBe(0);
    expect(back.stdout).toContain('Synced 7 attempts');
    expect((await store.attemptsOf(learner.id)).map((s) => s.attempt.attemptId).sort()).toEqual(mine.map((a) => a.attemptId).sort());
  });

  it('returns the attempts still queued when the server answers 503', async () => {
    const { token } = await addLearner(store, cohort, 'Hedy');
    // A reverse proxy whose backend is down answers 503: the CLI must keep the attempts queued.
    const failing = createServer((req, res) => {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"UNAVAILABLE","message":"backend down"}}');
    });
    await new Promise<void>((r) => failing.listen(0, '127.0.0.1', () => r()));
    try {
      await writeProgress(home, attempts(3));
      const r = await runCli(home, ['--server', `http://127.0.0.1:${(failing.address() as AddressInfo).port}`, '--token', token, '--json']);
      expect(r.code).toBe(3);
      expect(JSON.parse(r.stdout)).toMatchObject({ sent: 0, queued: 3, error: { code: 'SYNC_QUEUED' } });
      expect(r.stderr).toContain('3 attempts queued');
      expect(r.stderr).toContain('503');
    } finally {
      await new Promise<void>((r) => failing.close(() => r()));
    }
  });

  it('returns rejected attempts with their reasons, does not resend them, and resends them with --retry-rejected', async () => {
    server = await startServer();
    const { token } = await addLearner(store, cohort, 'Linus');
    const good = attempts(2);
    const unknown = { ...attempts(1)[0]!, lab: { id: 'docker/99-not-on-this-server', version: '1.0.0' } };
    await writeProgress(home, [...good, unknown]);

    const first = await runCli(home, ['--server', server.url, '--token', token]);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('2 stored, 0 already there, 1 rejected');
    expect(first.stdout).toContain(`${unknown.attemptId} LAB_UNKNOWN`);
    expect(first.stdout).toContain('docker/99-not-on-this-server');

    const rerun = await runCli(home, ['--json']);
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ sent: 0, previouslyRejected: 1, queued: 0 });

    const retry = await runCli(home, ['--retry-rejected', '--json']);
    expect(retry.code).toBe(1);
    expect(JSON.parse(retry.stdout)).toMatchObject({ sent: 1, rejected: [{ attemptId: unknown.attemptId, code: 'LAB_UNKNOWN' }] });
  });

  it('errors with exit 2 for a token the server does not accept, and for a first run without a server', async () => {
    server = await startServer();
    await writeProgress(home, attempts(1));
    const wrong = await runCli(home, ['--server', server.url, '--token', 'not-my-token']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`${server.url} did not accept your sync token`);
    const fresh = await mkdtemp(join(tmpdir(), 'mlops-lab-sync-fresh-'));
    try {
      const none = await runCli(fresh, []);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('mlops-lab sync --server <url> --token <token>');
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });
});
