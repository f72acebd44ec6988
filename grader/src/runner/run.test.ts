import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EvidenceError } from '../errors.ts';
import { WorkspaceFiles } from '../evidence/files.ts';
import type { CheckContext, CheckOutcome } from '../lab/context.ts';
import type { LoadedLab } from '../lab/load.ts';
import { LabManifestSchema, type CheckDefinitionInput, type LabManifestInput } from '../lab/schema.ts';
import { AttemptResultSchema, RESULT_SCHEMA_VERSION, type AttemptResult, type CheckResult } from '../result/schema.ts';
import { runLab, type RunLabOptions } from './run.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlops-lab-run-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A check with no tools; `run` is the closure under test. */
function check(
  id: string,
  run: (ctx: CheckContext) => Promise<CheckOutcome> | CheckOutcome,
  extra: Partial<CheckDefinitionInput> = {},
): CheckDefinitionInput {
  return { id, title: `Title of ${id}`, requires: [], run, ...extra };
}

const passes =
  (message = 'It holds.') =>
  (): CheckOutcome => ({ status: 'pass', message });
const fails =
  (message = 'It does not hold.') =>
  (): CheckOutcome => ({ status: 'fail', message, expected: 'this', actual: 'that', hint: 'Try this.' });

/** A LoadedLab built in memory; its folder is the test's temp dir. */
function makeLab(checks: CheckDefinitionInput[], overrides: Partial<LabManifestInput> = {}): LoadedLab {
  const manifest = LabManifestSchema.parse({
    id: 'docker/01-runner-fixture',
    version: '1.2.3',
    title: 'Runner fixture',
    stage: 'docker',
    summary: 'A lab built in memory for the runner tests.',
    minutes: 5,
    difficulty: 'beginner',
    skills: ['production-python'],
    checks,
    contract: { starterFails: [checks[0]!.id] },
    ...overrides,
  });
  return {
    manifest,
    dir,
    displayDir: 'runner-fixture',
    starterDir: join(dir, 'starter'),
    solutionDir: join(dir, 'solution'),
    loadSolve: () => Promise.reject(new Error('loadSolve is not used by the runner')),
  };
}

function grade(lab: LoadedLab, extra: Partial<RunLabOptions> = {}): Promise<AttemptResult> {
  return runLab({
    lab,
    workspaceDir: dir,
    learner: 't',
    source: 'test',
    credit: 'learner',
    evidence: { files: new WorkspaceFiles(dir) },
    ...extra,
  });
}

function byId(result: AttemptResult, id: string): CheckResult {
  const found = result.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no result for ${id}`);
  return found;
}

describe('runLab', () => {
  it('returns results in the manifest order, not the order checks finish in', async () => {
    const finished: string[] = [];
    const lab = makeLab([
      check('slow-check-holds', async () => {
        await sleep(60);
        return { status: 'pass', message: 'slow' };
      }),
      check('fast-check-holds', passes('fast')),
      check('medium-check-holds', async () => {
        await sleep(20);
        return { status: 'pass', message: 'medium' };
      }),
    ]);

    const result = await grade(lab, { onCheckFinish: (r) => finished.push(r.id) });

    expect(finished).toEqual(['fast-check-holds', 'medium-check-holds', 'slow-check-holds']);
    expect(result.checks.map((c) => [c.id, c.title, c.message])).toEqual([
      ['slow-check-holds', 'Title of slow-check-holds', 'slow'],
      ['fast-check-holds', 'Title of fast-check-holds', 'fast'],
      ['medium-check-holds', 'Title of medium-check-holds', 'medium'],
    ]);
  });

  it('returns skip naming the prerequisite when it fails, errors or is skipped, without running the dependent check', async () => {
    const neverRuns = vi.fn(passes());
    const lab = makeLab([
      check('file-exists', fails('There is no file.')),
      check('file-parses', neverRuns, { needs: ['file-exists'] }),
      check('tool-answers', () => ({ status: 'error', message: 'The tool crashed.', code: 'TOOL_BROKEN' })),
      check('tool-agrees', neverRuns, { needs: ['tool-answers'] }),
      check('everything-agrees', neverRuns, { needs: ['file-parses'] }),
      check('independent-check-holds', passes()),
    ]);

    const result = await grade(lab);

    expect(neverRuns).not.toHaveBeenCalled();
    expect(byId(result, 'file-parses')).toMatchObject({
      status: 'skip',
      message: 'Skipped because "file-exists" did not pass (fail); fix that first.',
    });
    expect(byId(result, 'tool-agrees')).toMatchObject({
      status: 'skip',
      message: 'Skipped because "tool-answers" did not pass (error); fix that first.',
    });
    expect(byId(result, 'everything-agrees')).toMatchObject({
      status: 'skip',
      message: 'Skipped because "file-parses" did not pass (skip); fix that first.',
    });
    expect(byId(result, 'independent-check-holds').status).toBe('pass');
  });

  it('runs a dependent check only after its prerequisite passed', async () => {
    const events: string[] = [];
    const lab = makeLab([
      check('image-builds', async () => {
        events.push('build start');
        await sleep(30);
        events.push('build end');
        return { status: 'pass', message: 'built' };
      }),
      check(
        'image-runs',
        () => {
          events.push('run');
          return { status: 'pass', message: 'ran' };
        },
        { needs: ['image-builds'] },
      ),
    ]);

    const result = await grade(lab);

    expect(events).toEqual(['build start', 'build end', 'run']);
    expect(result.checks.map((c) => c.status)).toEqual(['pass', 'pass']);
  });

  it('returns error CHECK_CRASHED with the message when a check throws a plain Error', async () => {
    const lab = makeLab([
      check('check-crashes', () => {
        throw new Error('Cannot read properties of undefined (reading "Config")');
      }),
    ]);

    const result = await grade(lab);

    expect(result.checks[0]).toMatchObject({
      status: 'error',
      code: 'CHECK_CRASHED',
      message: 'The check crashed: Cannot read properties of undefined (reading "Config")',
      tries: 1,
    });
    expect(result.checks[0]!.hint).toMatch(/bug in the lab/);
  });

  it('returns error CHECK_CRASHED when a check rejects with something that is not an Error', async () => {
    const lab = makeLab([check('check-rejects', () => Promise.reject('plain string'))]);
    expect((await grade(lab)).checks[0]).toMatchObject({
      status: 'error',
      code: 'CHECK_CRASHED',
      message: 'The check crashed: plain string',
    });
  });

  it('returns error with the EvidenceError code, message and next step as hint, without retrying it', async () => {
    const run = vi.fn(() => {
      throw new EvidenceError(
        'FILE_TOO_LARGE',
        'model.pkl is 2.0 GiB, more than the 50 MiB the grader reads.',
        'Add model.pkl to .dockerignore.',
      );
    });
    const lab = makeLab([check('model-is-small', run, { retries: 3, retryDelayMs: 0 })]);

    const result = await grade(lab);

    expect(result.checks[0]).toEqual({
      id: 'model-is-small',
      title: 'Title of model-is-small',
      status: 'error',
      code: 'FILE_TOO_LARGE',
      message: 'model.pkl is 2.0 GiB, more than the 50 MiB the grader reads.',
      hint: 'Add model.pkl to .dockerignore.',
      durationMs: expect.any(Number),
      tries: 1,
    });
    expect(run).toHaveBeenCalledOnce();
  });

  it('returns error CHECK_TIMEOUT for a check that never finishes, aborting its signal, without hanging', async () => {
    let signal: AbortSignal | undefined;
    const lab = makeLab([
      check(
        'check-hangs',
        (ctx) => {
          signal = ctx.signal;
          return new Promise<CheckOutcome>(() => {});
        },
        { timeoutMs: 30 },
      ),
      check('other-check-holds', passes()),
    ]);

    const started = performance.now();
    const result = await grade(lab);

    expect(performance.now() - started).toBeLessThan(2_000);
    expect(result.checks[0]).toMatchObject({ status: 'error', code: 'CHECK_TIMEOUT', tries: 1 });
    expect(result.checks[0]!.hint).toBeTruthy();
    expect(signal?.aborted).toBe(true);
    expect(result.checks[1]!.status).toBe('pass');
    expect(result.status).toBe('error');
  });

  it('retries a timed-out check, since a timeout can clear up', async () => {
    let calls = 0;
    const lab = makeLab([
      check(
        'service-answers',
        () => {
          calls++;
          return calls === 1 ? new Promise<CheckOutcome>(() => {}) : { status: 'pass', message: 'answered' };
        },
        { timeoutMs: 30, retries: 1, retryDelayMs: 0 },
      ),
    ]);

    expect((await grade(lab)).checks[0]).toMatchObject({ status: 'pass', tries: 2 });
  });

  it('returns pass with tries 3 for a check that fails twice then passes with retries 2, waiting the retry delay', async () => {
    const calledAt: number[] = [];
    const progress: string[] = [];
    const lab = makeLab([
      check(
        'rollout-completes',
        () => {
          calledAt.push(performance.now());
          return calledAt.length < 3 ? { status: 'fail', message: `try ${calledAt.length}` } : { status: 'pass', message: 'rolled out' };
        },
        { retries: 2, retryDelayMs: 80 },
      ),
    ]);

    const result = await grade(lab, { onProgress: (id, note) => progress.push(`${id}: ${note}`) });

    expect(result.checks[0]).toMatchObject({ status: 'pass', message: 'rolled out', tries: 3 });
    expect(calledAt).toHaveLength(3);
    // Timers may fire a millisecond early; allow a little slack.
    expect(calledAt[1]! - calledAt[0]!).toBeGreaterThanOrEqual(75);
    expect(calledAt[2]! - calledAt[1]!).toBeGreaterThanOrEqual(75);
    expect(result.checks[0]!.durationMs).toBeGreaterThanOrEqual(150);
    expect(progress).toEqual(['rollout-completes: retry 1/2', 'rollout-completes: retry 2/2']);
  });

  it('uses the lab defaults for retries when the check sets none', async () => {
    let calls = 0;
    const lab = makeLab(
      [
        check('rollout-completes', () => {
          calls++;
          return calls < 2 ? { status: 'fail', message: 'not yet' } : { status: 'pass', message: 'done' };
        }),
      ],
      { defaults: { retries: 1, retryDelayMs: 0 } },
    );

    expect((await grade(lab)).checks[0]).toMatchObject({ status: 'pass', tries: 2 });
  });

  it('returns the last fail with its details when no retries are left', async () => {
    let calls = 0;
    const lab = makeLab([
      check(
        'rollout-completes',
        () => {
          calls++;
          return {
            status: 'fail',
            message: `still failing (try ${calls})`,
            expected: '3 ready',
            actual: '1 ready',
            hint: 'kubectl get pods',
          };
        },
        { retries: 1, retryDelayMs: 0 },
      ),
      check('single-try-fails', fails(), { retries: 0 }),
    ]);

    const result = await grade(lab);

    expect(result.checks[0]).toMatchObject({
      status: 'fail',
      message: 'still failing (try 2)',
      expected: '3 ready',
      actual: '1 ready',
      hint: 'kubectl get pods',
      tries: 2,
    });
    expect(calls).toBe(2);
    expect(result.checks[1]).toMatchObject({ status: 'fail', tries: 1 });
    expect(result.status).toBe('fail');
  });

  it('runs at most `concurrency` checks at once', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const slow = async (): Promise<CheckOutcome> => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(25);
      inFlight--;
      return { status: 'pass', message: 'done' };
    };
    const lab = makeLab(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => check(`check-${x}-holds`, slow)),
      { concurrency: 2 },
    );

    const result = await grade(lab);

    expect(maxInFlight).toBe(2);
    expect(inFlight).toBe(0);
    expect(result.checks.map((c) => c.status)).toEqual(Array(6).fill('pass'));
  });

  it('runs independent checks in parallel up to the limit', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const slow = async (): Promise<CheckOutcome> => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(25);
      inFlight--;
      return { status: 'pass', message: 'done' };
    };
    const lab = makeLab(
      ['a', 'b', 'c', 'd', 'e'].map((x) => check(`check-${x}-holds`, slow)),
      { concurrency: 4 },
    );

    await grade(lab);

    expect(maxInFlight).toBe(4);
  });

  it('computes a memo once per run and shares it between checks, and again in a new run', async () => {
    const compute = vi.fn(async () => {
      await sleep(10);
      return { imageId: 'sha256:abc' };
    });
    const seen: unknown[] = [];
    const usesImage = async (ctx: CheckContext): Promise<CheckOutcome> => {
      seen.push(await ctx.memo('image', compute));
      return { status: 'pass', message: 'inspected' };
    };
    const lab = makeLab([check('image-is-small', usesImage), check('image-is-labelled', usesImage), check('image-is-non-root', usesImage)]);

    await grade(lab);
    expect(compute).toHaveBeenCalledTimes(1);
    expect(seen).toHaveLength(3);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[2]).toBe(seen[0]);

    await grade(lab);
    expect(compute).toHaveBeenCalledTimes(2);
  });

  it('runs onRunEnd teardowns once every check finished, last registered first, even after errors', async () => {
    const events: string[] = [];
    const lab = makeLab([
      check('starts-a-service', async (ctx) => {
        await ctx.memo('service', async () => {
          events.push('start service');
          ctx.onRunEnd(() => void events.push('stop service'));
        });
        ctx.onRunEnd(async () => {
          await sleep(5);
          events.push('second teardown');
        });
        return { status: 'pass', message: 'up' };
      }),
      check('crashes', () => {
        throw new Error('boom');
      }),
      check(
        'slow-dependent',
        async () => {
          await sleep(20);
          events.push('slow check done');
          return { status: 'pass', message: 'ok' };
        },
        { needs: ['starts-a-service'] },
      ),
      check('failing-teardown', (ctx) => {
        ctx.onRunEnd(() => {
          throw new Error('teardown failed');
        });
        return { status: 'pass', message: 'ok' };
      }),
    ]);

    const result = await grade(lab);

    expect(result.checks.map((c) => c.status)).toEqual(['pass', 'error', 'pass', 'pass']);
    expect(events).toEqual(['start service', 'slow check done', 'second teardown', 'stop service']);
  });

  it('returns error for every check sharing a memo whose computation rejects', async () => {
    const compute = vi.fn(() => Promise.reject(new EvidenceError('BUILD_FAILED', 'The image did not build.', 'Run docker build .')));
    const usesImage = async (ctx: CheckContext): Promise<CheckOutcome> => {
      await ctx.memo('image', compute);
      return { status: 'pass', message: 'inspected' };
    };
    const lab = makeLab([check('image-is-small', usesImage), check('image-is-labelled', usesImage)]);

    const result = await grade(lab);

    expect(compute).toHaveBeenCalledTimes(1);
    expect(result.checks.map((c) => [c.status, c.code, c.message])).toEqual([
      ['error', 'BUILD_FAILED', 'The image did not build.'],
      ['error', 'BUILD_FAILED', 'The image did not build.'],
    ]);
  });

  it('returns error naming the check when it returns an outcome without a message or status', async () => {
    const lab = makeLab([
      check('no-message', () => ({ status: 'pass' }) as unknown as CheckOutcome),
      check('empty-message', () => ({ status: 'fail', message: '' })),
      check('no-outcome', () => undefined as unknown as CheckOutcome),
      check('bad-status', () => ({ status: 'maybe', message: 'hmm' }) as unknown as CheckOutcome),
    ]);

    const result = await grade(lab);

    for (const id of ['no-message', 'empty-message', 'no-outcome', 'bad-status']) {
      expect(byId(result, id)).toMatchObject({
        status: 'error',
        message: `The check "${id}" returned no status or message; this is a bug in the lab.`,
      });
    }
  });

  it('keeps the figures a check measured on its result, and leaves them out when it gave none', async () => {
    const result = await grade(
      makeLab([
        check('a-holds', () => ({ status: 'pass', message: 'Fast.', figures: { p99Ms: 11.2, 'dataset.rows': 45222, drift: 'ks' } })),
        check('b-holds', passes()),
      ]),
    );
    expect(byId(result, 'a-holds').figures).toEqual({ p99Ms: 11.2, 'dataset.rows': 45222, drift: 'ks' });
    expect(byId(result, 'b-holds')).not.toHaveProperty('figures');
    expect(AttemptResultSchema.parse(result).checks[0]!.figures).toEqual({ p99Ms: 11.2, 'dataset.rows': 45222, drift: 'ks' });
  });

  it('returns overall pass only when every check passed', async () => {
    expect((await grade(makeLab([check('a-holds', passes()), check('b-holds', passes())]))).status).toBe('pass');
  });

  it('returns overall fail when a check failed or was skipped and none errored', async () => {
    expect((await grade(makeLab([check('a-holds', passes()), check('b-holds', fails())]))).status).toBe('fail');
    expect((await grade(makeLab([check('a-holds', passes()), check('b-holds', () => ({ status: 'skip', message: 'n/a' }))]))).status).toBe(
      'fail',
    );
  });

  it('returns overall error when any check errored, even next to failures', async () => {
    const lab = makeLab([
      check('a-holds', fails()),
      check('b-holds', () => {
        throw new Error('boom');
      }),
      check('c-holds', passes()),
    ]);
    expect((await grade(lab)).status).toBe('error');
  });

  it('returns a result that validates against AttemptResultSchema and describes the attempt', async () => {
    const lab = makeLab([
      check('a-holds', passes()),
      check('b-holds', fails()),
      check('c-holds', passes(), { needs: ['b-holds'] }),
      check('d-holds', () => {
        throw new Error('boom');
      }),
    ]);

    const before = Date.now();
    const result = await grade(lab);

    expect(AttemptResultSchema.safeParse(result).error).toBeUndefined();
    expect(result).toMatchObject({
      schemaVersion: RESULT_SCHEMA_VERSION,
      lab: { id: 'docker/01-runner-fixture', version: '1.2.3' },
      learner: 't',
      source: 'test',
      credit: 'learner',
      status: 'error',
      environment: { node: process.version, platform: `${process.platform}-${process.arch}` },
    });
    expect(result.environment).not.toHaveProperty('docker');
    expect(Date.parse(result.startedAt)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(result.finishedAt)).toBeGreaterThanOrEqual(Date.parse(result.startedAt));
    expect(result.checks[1]).toMatchObject({ status: 'fail', expected: 'this', actual: 'that', hint: 'Try this.' });
    expect((await grade(lab)).attemptId).not.toBe(result.attemptId);
  });

  it('returns error DOCKER_UNAVAILABLE with "start Docker" guidance when Docker is not reachable, and skips its dependents', async () => {
    const needsDocker = vi.fn(passes());
    const lab = makeLab([
      check('image-builds', needsDocker, { requires: ['docker'] }),
      check('image-runs-as-non-root', needsDocker, { needs: ['image-builds'] }),
      check('dockerfile-exists', passes()),
    ]);

    const result = await grade(lab, { env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });

    expect(needsDocker).not.toHaveBeenCalled();
    expect(result.checks[0]).toMatchObject({ status: 'error', code: 'DOCKER_UNAVAILABLE' });
    expect(result.checks[0]!.message).toContain('unix:///nonexistent/docker.sock');
    expect(result.checks[0]!.hint).toMatch(/start docker/i);
    expect(result.checks[1]).toMatchObject({
      status: 'skip',
      message: 'Skipped because "image-builds" did not pass (error); fix that first.',
    });
    expect(result.checks[2]!.status).toBe('pass');
    expect(result.status).toBe('error');
    expect(result.environment).not.toHaveProperty('docker');
  });
});
