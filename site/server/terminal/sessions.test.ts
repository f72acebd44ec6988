/** The session manager with a fake backend: ownership, replacement, flow control, idle end, the cap. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SpawnOptions, TerminalBackend, TerminalProcess } from './backend.ts';
import { CLOSE, type ServerMessage } from './protocol.ts';
import { SessionManager, type SessionSink } from './sessions.ts';

class FakeProcess implements TerminalProcess {
  written: string[] = [];
  sizes: [number, number][] = [];
  paused = false;
  pauses = 0;
  resumes = 0;
  killed = false;
  #data: ((d: Buffer) => void)[] = [];
  #exit: ((c: number) => void)[] = [];
  write(d: string): void {
    this.written.push(d);
  }
  resize(c: number, r: number): void {
    this.sizes.push([c, r]);
  }
  pause(): void {
    this.paused = true;
    this.pauses += 1;
  }
  resume(): void {
    this.paused = false;
    this.resumes += 1;
  }
  kill(): void {
    this.killed = true;
  }
  onData(cb: (d: Buffer) => void): void {
    this.#data.push(cb);
  }
  onExit(cb: (c: number) => void): void {
    this.#exit.push(cb);
  }
  emit(data: string | Buffer): void {
    for (const cb of this.#data) cb(typeof data === 'string' ? Buffer.from(data) : data);
  }
  exit(code: number): void {
    for (const cb of this.#exit) cb(code);
  }
}

class FakeBackend implements TerminalBackend {
  readonly name = 'fake';
  spawned: FakeProcess[] = [];
  spawn(_opts: SpawnOptions): TerminalProcess {
    const p = new FakeProcess();
    this.spawned.push(p);
    return p;
  }
}

class FakeSink implements SessionSink {
  messages: ServerMessage[] = [];
  bytes: Buffer[] = [];
  closed: { code: number; reason: string } | undefined;
  send(m: ServerMessage): void {
    this.messages.push(m);
  }
  output(d: Buffer): void {
    this.bytes.push(d);
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }
  text(): string {
    return Buffer.concat(this.bytes).toString('utf8');
  }
}

const opts = (learner = 'ada', labId = 'docker/01'): SpawnOptions => ({ learner, labId, cwd: '/tmp', env: {}, cols: 80, rows: 24 });

function setup(extra: Partial<ConstructorParameters<typeof SessionManager>[0]> = {}) {
  const backend = new FakeBackend();
  const manager = new SessionManager({ backend, idleMs: 1_000, maxPerLearner: 2, highBytes: 1000, lowBytes: 200, ...extra });
  return { backend, manager };
}

afterEach(() => {
  vi.useRealTimers();
});

/** One turn of the event loop: coalesced output is flushed on setImmediate. */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('SessionManager', () => {
  it('lets only the owning learner attach, and only for the same lab', () => {
    const { manager } = setup();
    const s = manager.create(opts('ada'));
    expect(manager.check(s.id, 'ada', 'docker/01')).toMatchObject({ ok: true });
    expect(manager.check(s.id, 'bob', 'docker/01')).toMatchObject({ ok: false, status: 403, code: 'SESSION_FORBIDDEN' });
    expect(manager.check(s.id, 'ada', 'docker/02')).toMatchObject({ ok: false, status: 403 });
    expect(manager.check('nope', 'ada', 'docker/01')).toMatchObject({ ok: false, status: 404, code: 'SESSION_UNKNOWN' });
  });

  it('caps sessions per learner, not globally', () => {
    const { manager } = setup();
    manager.create(opts('ada'));
    expect(manager.canCreate('ada')).toBe(true);
    manager.create(opts('ada'));
    expect(manager.canCreate('ada')).toBe(false);
    expect(manager.canCreate('bob')).toBe(true);
  });

  it('sends hello, then the scrollback, then live output; input, resize and ping go through', async () => {
    const { manager, backend } = setup();
    const s = manager.create(opts());
    const p = backend.spawned[0]!;
    p.emit('before ');
    const sink = new FakeSink();
    const a = manager.attach(s, sink);
    expect(sink.messages[0]).toEqual({ t: 'hello', session: s.id, replay: 7, cols: 80, rows: 24 });
    p.emit('after');
    await turn();
    expect(sink.text()).toBe('before after');
    a.handle({ t: 'input', d: '\u0003' });
    a.handle({ t: 'resize', cols: 100, rows: 30 });
    a.handle({ t: 'ping', id: 3 });
    expect(p.written).toEqual(['\u0003']);
    expect(p.sizes).toEqual([[100, 30]]);
    expect(sink.messages.at(-1)).toEqual({ t: 'pong', id: 3 });
  });

  it('replaces an attached socket (4000), and the old one no longer detaches or drives the session', () => {
    const { manager, backend } = setup();
    const s = manager.create(opts());
    const old = new FakeSink();
    const a1 = manager.attach(s, old);
    const fresh = new FakeSink();
    manager.attach(s, fresh);
    expect(old.closed).toEqual({ code: CLOSE.replaced, reason: 'replaced' });
    a1.detach();
    a1.handle({ t: 'input', d: 'x' });
    expect(s.sink).toBe(fresh);
    expect(backend.spawned[0]!.written).toEqual([]);
  });

  it('coalesces the reads of one loop turn into one frame; a frame is sent at once when it reaches frameBytes', async () => {
    const { manager, backend } = setup({ frameBytes: 1000, highBytes: 100_000 });
    const s = manager.create(opts());
    const p = backend.spawned[0]!;
    const sink = new FakeSink();
    manager.attach(s, sink);
    p.emit('a');
    p.emit('b');
    p.emit('c');
    expect(sink.bytes).toHaveLength(0);
    expect(s.inFlight).toBe(0); // counted when sent
    await turn();
    expect(sink.bytes.map(String)).toEqual(['abc']);
    expect(s.inFlight).toBe(3);
    p.emit(Buffer.alloc(600, 'x'));
    p.emit(Buffer.alloc(600, 'y'));
    expect(sink.bytes.map((b) => b.length)).toEqual([3, 1200]); // flushed without waiting
    p.emit('z');
    await turn();
    expect(sink.text()).toBe(`abc${'x'.repeat(600)}${'y'.repeat(600)}z`);
  });

  it('output waiting for its frame when a new socket attaches is sent once, in the replay', async () => {
    const { manager, backend } = setup();
    const s = manager.create(opts());
    const p = backend.spawned[0]!;
    const first = new FakeSink();
    manager.attach(s, first);
    p.emit('one ');
    const second = new FakeSink();
    manager.attach(s, second);
    p.emit('two');
    await turn();
    expect(first.text()).toBe('');
    expect(second.text()).toBe('one two');
  });

  it('pauses above HIGH unacked bytes, resumes under LOW; input still flows while paused', () => {
    const { manager, backend } = setup({ frameBytes: 500 });
    const s = manager.create(opts());
    const p = backend.spawned[0]!;
    const a = manager.attach(s, new FakeSink());
    p.emit(Buffer.alloc(600));
    expect(p.paused).toBe(false);
    p.emit(Buffer.alloc(600));
    expect(p.paused).toBe(true);
    expect(s.inFlight).toBe(1200);
    a.handle({ t: 'input', d: '\u0003' });
    expect(p.written).toEqual(['\u0003']);
    a.handle({ t: 'ack', bytes: 900 });
    expect(p.paused).toBe(true); // 300 is not under LOW
    a.handle({ t: 'ack', bytes: 200 });
    expect(p.paused).toBe(false);
    expect([p.pauses, p.resumes]).toEqual([1, 1]);
    a.handle({ t: 'ack', bytes: 10_000 });
    expect(s.inFlight).toBe(0);
  });

  it('resumes a paused pty when its socket goes away, and counts only the replay for the next one', () => {
    const { manager, backend } = setup({ scrollbackBytes: 100, frameBytes: 500 });
    const s = manager.create(opts());
    const p = backend.spawned[0]!;
    const a = manager.attach(s, new FakeSink());
    p.emit(Buffer.alloc(2000));
    expect(p.paused).toBe(true);
    a.detach();
    expect(p.paused).toBe(false);
    manager.attach(s, new FakeSink());
    expect(s.inFlight).toBe(100);
  });

  it('ends a detached session after the idle time, not an attached one', () => {
    vi.useFakeTimers();
    const { manager, backend } = setup();
    const s = manager.create(opts());
    const a = manager.attach(s, new FakeSink());
    vi.advanceTimersByTime(5_000);
    expect(manager.get(s.id)).toBe(s);
    a.detach();
    vi.advanceTimersByTime(999);
    expect(manager.get(s.id)).toBe(s);
    manager.attach(s, new FakeSink()).detach();
    vi.advanceTimersByTime(999);
    expect(backend.spawned[0]!.killed).toBe(false);
    vi.advanceTimersByTime(2);
    expect(manager.get(s.id)).toBeUndefined();
    expect(backend.spawned[0]!.killed).toBe(true);
  });

  it('reports the exit code and forgets the session when the shell exits', async () => {
    const { manager, backend } = setup();
    const s = manager.create(opts());
    const sink = new FakeSink();
    manager.attach(s, sink);
    backend.spawned[0]!.emit('last words');
    backend.spawned[0]!.exit(2);
    expect(manager.get(s.id)).toBeUndefined();
    await turn();
    // The output read before the exit goes first.
    expect(sink.text()).toBe('last words');
    expect(sink.messages.at(-1)).toEqual({ t: 'exit', code: 2 });
    expect(sink.closed?.code).toBe(CLOSE.normal);
  });

  it('closeAll kills every process and closes every socket', () => {
    const { manager, backend } = setup();
    const sink = new FakeSink();
    manager.attach(manager.create(opts()), sink);
    manager.create(opts('bob'));
    manager.closeAll();
    expect(backend.spawned.every((p) => p.killed)).toBe(true);
    expect(sink.closed?.code).toBe(CLOSE.goingAway);
    expect(manager.size).toBe(0);
  });
});
