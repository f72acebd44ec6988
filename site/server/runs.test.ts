import { describe, expect, it } from 'vitest';
import { HttpError } from './http.ts';
import { Run, RunRegistry, type RunEvent } from './runs.ts';

describe('Run', () => {
  it('replays the events so far to a late subscriber, then delivers the live ones, and nothing after done', () => {
    const run = new Run('docker/01-x');
    run.emit('check-start', { id: 'a' });
    run.emit('check', { id: 'a', status: 'pass' });
    const got: RunEvent[] = [];
    run.subscribe((e) => got.push(e));
    expect(got.map((e) => e.seq)).toEqual([1, 2]);
    run.emit('done', { status: 'pass' });
    run.emit('check', { id: 'late' });
    expect(got.map((e) => [e.seq, e.event])).toEqual([
      [1, 'check-start'],
      [2, 'check'],
      [3, 'done'],
    ]);
    expect(run.finished).toBe(true);
    const after: RunEvent[] = [];
    run.subscribe((e) => after.push(e), 1);
    expect(after.map((e) => e.seq)).toEqual([2, 3]);
  });
});

describe('RunRegistry', () => {
  it('refuses a second claim on a busy lab with 409, and frees it on release', () => {
    const registry = new RunRegistry();
    const release = registry.claim('docker/01-x', 'solving');
    expect(() => registry.claim('docker/01-x', 'grading')).toThrow(HttpError);
    expect(() => registry.claim('docker/02-y', 'grading')).not.toThrow();
    release();
    expect(() => registry.claim('docker/01-x', 'grading')).not.toThrow();
  });

  it('fails a run whose task throws, frees the lab, and forgets finished runs beyond the count', async () => {
    const registry = new RunRegistry({ maxFinished: 2 });
    const crashed = registry.start(
      'lab/a',
      () => Promise.reject(new Error('boom')),
      (run, error) => run.emit('failed', { code: 'INTERNAL', message: (error as Error).message }),
    );
    await new Promise((r) => setTimeout(r, 10));
    expect(crashed.events.at(-1)).toMatchObject({ event: 'failed', data: { message: 'boom' } });
    const runs = [];
    for (let i = 0; i < 3; i++) {
      runs.push(
        registry.start(
          'lab/a',
          async (run) => run.emit('done', { i }),
          () => {},
        ),
      );
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(registry.get(crashed.id)).toBeUndefined();
    expect(registry.get(runs[0]!.id)).toBeUndefined();
    expect(registry.get(runs[2]!.id)?.finished).toBe(true);
    await registry.close();
  });

  it('forgets finished runs after the keep time', async () => {
    const registry = new RunRegistry({ keepFinishedMs: 20 });
    const run = registry.start(
      'lab/a',
      async (r) => r.emit('done', {}),
      () => {},
    );
    await new Promise((r) => setTimeout(r, 5));
    expect(registry.get(run.id)).toBe(run);
    await new Promise((r) => setTimeout(r, 40));
    expect(registry.get(run.id)).toBeUndefined();
    await registry.close();
  });

  it('aborts running runs on close', async () => {
    const registry = new RunRegistry();
    const run = registry.start(
      'lab/a',
      (r) =>
        new Promise<void>((resolve) =>
          r.controller.signal.addEventListener('abort', () => {
            r.emit('failed', { code: 'SERVER_STOPPING', message: 'stopped' });
            resolve();
          }),
        ),
      () => {},
    );
    await registry.close();
    expect(run.events.at(-1)).toMatchObject({ event: 'failed', data: { code: 'SERVER_STOPPING' } });
  });
});
