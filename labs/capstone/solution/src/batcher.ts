/**
 * Micro-batching: requests that arrive close together share one call to the
 * model. A network is much cheaper per row on a matrix of 64 rows than on 64
 * matrices of one row (one kernel launch, one allocation, one copy), so under
 * load a server that coalesces answers more requests per second at a lower
 * tail latency. A batch runs when it holds `maxRows` rows or `maxWaitMs`
 * after its first request arrived, whichever comes first; each caller gets
 * back exactly its own rows' results, in its own order.
 */

export interface BatcherOptions<In, Out> {
  /** Runs the model on every queued row at once; must return one result per row, in order. */
  run: (rows: In[]) => Out[] | Promise<Out[]>;
  /** Rows that start a batch at once (default 256). */
  maxRows?: number;
  /** Longest a request waits for company (ms, default 2; 0 = the end of the current event-loop turn). */
  maxWaitMs?: number;
  /** Told the size of every batch that ran (for the batch-size histogram). */
  onBatch?: (rows: number, requests: number) => void;
}

interface Pending<In, Out> {
  rows: In[];
  resolve: (out: Out[]) => void;
  reject: (error: unknown) => void;
}

export class MicroBatcher<In, Out> {
  private queue: Pending<In, Out>[] = [];
  private queuedRows = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly maxRows: number;
  private readonly maxWaitMs: number;
  private readonly options: BatcherOptions<In, Out>;

  constructor(options: BatcherOptions<In, Out>) {
    this.options = options;
    this.maxRows = options.maxRows ?? 256;
    this.maxWaitMs = options.maxWaitMs ?? 2;
    if (!(this.maxRows >= 1)) throw new RangeError('maxRows must be at least 1');
    if (!(this.maxWaitMs >= 0)) throw new RangeError('maxWaitMs must be 0 or more');
  }

  /** Queues the rows of one request; resolves with their results in the same order. */
  submit(rows: In[]): Promise<Out[]> {
    if (rows.length === 0) return Promise.resolve([]);
    return new Promise<Out[]>((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      this.queuedRows += rows.length;
      if (this.queuedRows >= this.maxRows) this.flush();
      else if (this.timer === undefined) {
        this.timer = this.maxWaitMs === 0 ? setImmediate(() => this.flush()) : setTimeout(() => this.flush(), this.maxWaitMs);
      }
    });
  }

  /** Requests waiting or running. */
  get busy(): boolean {
    return this.queue.length > 0 || this.running > 0;
  }

  /** Runs whatever is queued now and resolves when no batch is queued or running (graceful shutdown). */
  async drain(): Promise<void> {
    if (this.queue.length > 0) this.flush();
    if (!this.busy) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer as NodeJS.Timeout);
    clearImmediate(this.timer as NodeJS.Immediate);
    this.timer = undefined;
  }

  private flush(): void {
    this.clearTimer();
    const batch = this.queue;
    this.queue = [];
    this.queuedRows = 0;
    if (batch.length === 0) return;
    this.running += 1;
    void this.runBatch(batch).finally(() => {
      this.running -= 1;
      if (!this.busy) for (const wake of this.idleWaiters.splice(0)) wake();
    });
  }

  private async runBatch(batch: Pending<In, Out>[]): Promise<void> {
    const rows = batch.flatMap((p) => p.rows);
    let results: Out[];
    try {
      results = await this.options.run(rows);
      if (results.length !== rows.length) throw new Error(`the model returned ${results.length} results for ${rows.length} rows`);
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    this.options.onBatch?.(rows.length, batch.length);
    let at = 0;
    for (const p of batch) {
      p.resolve(results.slice(at, at + p.rows.length));
      at += p.rows.length;
    }
  }
}
