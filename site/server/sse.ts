import type { IncomingMessage, ServerResponse } from 'node:http';

/** How often an idle stream gets a comment line, so proxies and browsers keep it open. */
export const HEARTBEAT_MS = 15_000;

/** One Server-Sent Events response. */
export class SseStream {
  readonly #res: ServerResponse;
  #heartbeat: NodeJS.Timeout | undefined;
  readonly #onClose = new Set<() => void>();
  #closed = false;

  constructor(req: IncomingMessage, res: ServerResponse, options: { heartbeatMs?: number; retryMs?: number } = {}) {
    this.#res = res;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Tell buffering reverse proxies (nginx) to pass events through at once.
      'x-accel-buffering': 'no',
    });
    if (req.method === 'HEAD') {
      // Headers only: there is no stream to keep open.
      res.end();
      this.#closed = true;
      return;
    }
    res.write(`retry: ${options.retryMs ?? 3000}\n: connected\n\n`);
    this.#heartbeat = setInterval(() => this.comment('heartbeat'), options.heartbeatMs ?? HEARTBEAT_MS);
    this.#heartbeat.unref();
    // The response's close: the stream ended or the client went away.
    res.on('close', () => this.#finish());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends one event; `data` is JSON-encoded (one line: JSON.stringify never emits raw newlines). */
  send(event: string, data: unknown, id?: number | string): void {
    if (this.#closed) return;
    this.#res.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  comment(text: string): void {
    if (this.#closed) return;
    this.#res.write(`: ${text.replace(/\n/g, ' ')}\n\n`);
  }

  /** Runs `fn` once when the stream ends, whoever ends it. */
  onClose(fn: () => void): void {
    if (this.#closed) fn();
    else this.#onClose.add(fn);
  }

  /** Ends the response. */
  close(): void {
    if (this.#closed) return;
    this.#res.end();
    this.#finish();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    for (const fn of this.#onClose) fn();
    this.#onClose.clear();
  }
}

/** The open streams, so a shutdown can end them all. */
export class StreamSet {
  readonly #streams = new Set<SseStream>();

  add(stream: SseStream): void {
    this.#streams.add(stream);
    stream.onClose(() => this.#streams.delete(stream));
  }

  get size(): number {
    return this.#streams.size;
  }

  closeAll(): void {
    for (const stream of [...this.#streams]) stream.close();
  }
}
