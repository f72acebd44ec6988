import { describe, expect, it } from 'vitest';
import { MicroBatcher } from './batcher.ts';

describe('MicroBatcher', () => {
  it('returns each caller its own rows in order when concurrent calls share one batch', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, string>({
      maxWaitMs: 5,
      run: (rows) => {
        batches.push(rows);
        return rows.map((r) => `r${r}`);
      },
    });
    const calls = Array.from({ length: 20 }, (_, i) => Array.from({ length: (i % 3) + 1 }, (_, j) => i * 10 + j));
    const answers = await Promise.all(calls.map((rows) => batcher.submit(rows)));
    answers.forEach((answer, i) => expect(answer).toEqual(calls[i]!.map((r) => `r${r}`)));
    expect(batches).toHaveLength(1);
    expect(batches[0]).toEqual(calls.flat());
  });

  it('starts a batch at once when maxRows rows are queued', async () => {
    const sizes: number[] = [];
    const batcher = new MicroBatcher<number, number>({ maxRows: 4, maxWaitMs: 10_000, run: (rows) => rows, onBatch: (n) => sizes.push(n) });
    const started = performance.now();
    await Promise.all([batcher.submit([1, 2]), batcher.submit([3, 4]), batcher.submit([5, 6, 7, 8])]);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(sizes).toEqual([4, 4]);
  });

  it('rejects every caller of a batch whose model call failed, and the next batch still runs', async () => {
    let fail = true;
    const batcher = new MicroBatcher<number, number>({
      maxWaitMs: 0,
      run: (rows) => {
        if (fail) throw new Error('model exploded');
        return rows;
      },
    });
    const results = await Promise.allSettled([batcher.submit([1]), batcher.submit([2])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(batcher.submit([3])).resolves.toEqual([3]);
  });

  it('errors if the model returns the wrong number of results', async () => {
    const batcher = new MicroBatcher<number, number>({ maxWaitMs: 0, run: (rows) => rows.slice(1) });
    await expect(batcher.submit([1, 2])).rejects.toThrow('the model returned 1 results for 2 rows');
  });

  it('drain waits for a running batch', async () => {
    let finished = false;
    const batcher = new MicroBatcher<number, number>({
      maxWaitMs: 1000,
      run: async (rows) => {
        await new Promise((r) => setTimeout(r, 50));
        finished = true;
        return rows;
      },
    });
    const pending = batcher.submit([1]);
    await batcher.drain();
    expect(finished).toBe(true);
    await expect(pending).resolves.toEqual([1]);
  });
});
