/**
 * The terminal gateway end to end: a real lab server (createLabServer), a
 * real `ws` client and a real pty running bash in the lab's workspace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB, request, startTestServer, type TestServer } from '../test-helpers.ts';
import { CLOSE, FLOW_HIGH_BYTES } from './protocol.ts';
import { connect, getToken, open, type TermClient } from './test-client.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A predictable shell: bash without the tester's rc files, a fixed prompt. */
function shellEnv(home: string): NodeJS.ProcessEnv {
  return { SHELL: '/bin/bash', HOME: home, PS1: 'lab$ ', HISTFILE: '/dev/null' };
}

async function startLab(server: TestServer): Promise<void> {
  const r = await request(server, 'POST', `/api/labs/${LAB}/start`, { body: {} });
  expect([200, 201], r.text).toContain(r.status);
}

async function openTerminal(server: TestServer, options: { session?: string; ack?: boolean } = {}): Promise<TermClient> {
  return open(server, { token: await getToken(server, LAB), lab: LAB, ...options });
}

/** Ends the shell (and so the session). */
async function quit(t: TermClient): Promise<void> {
  t.type('exit\r');
  await t.closed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('terminal gateway (local pty)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ env: { MLOPS_LAB_TERMINAL_IDLE_MS: String(10 * 60_000), MLOPS_LAB_TERMINAL_MAX_SESSIONS: '100' } });
    Object.assign(server.env, shellEnv(server.home));
    await startLab(server);
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('runs a command in the lab workspace and streams its output', async () => {
    const t = await openTerminal(server);
    const hello = await t.waitForMessage('hello');
    expect(hello).toMatchObject({ t: 'hello', replay: 0, cols: 80, rows: 24 });
    expect(hello.session).toMatch(/^[\w-]{20,}$/);
    t.type('echo hello-$((6*7)); pwd\r');
    await t.waitForOutput('hello-42');
    expect(t.output()).toContain(`workspaces/${LAB}`);
    t.send({ t: 'ping', id: 7 });
    expect(await t.waitForMessage('pong')).toEqual({ t: 'pong', id: 7 });
    await t.close();
  });

  it('puts the repo CLI and Python tools first on PATH, with a 256-colour TERM', async () => {
    const t = await openTerminal(server);
    t.type('echo "term=$TERM"; echo "path=$PATH"; echo "home=$MLOPS_LAB_HOME"\r');
    await t.waitForOutput('term=xterm-256color');
    await t.waitForOutput(`home=${server.home}`);
    expect(t.output()).toMatch(/path=[^:\r\n]*\/node_modules\/\.bin:[^:\r\n]*\/\.venv\/bin:/);
    await t.close();
  });

  it('resizes the pty', async () => {
    const t = await openTerminal(server);
    await t.waitForMessage('hello');
    t.send({ t: 'resize', cols: 123, rows: 45 });
    t.type('stty size\r');
    await t.waitForOutput('45 123');
    await t.close();
  });

  it('keeps the session when the socket drops, and replays its scrollback on re-attach', async () => {
    const first = await openTerminal(server);
    const { session } = await first.waitForMessage('hello');
    first.type('echo marker-$((1+2))\r');
    await first.waitForOutput('marker-3');
    await first.close();

    const second = await openTerminal(server, { session });
    const hello = await second.waitForMessage('hello');
    expect(hello.session).toBe(session);
    expect(hello.replay).toBeGreaterThan(0);
    await second.waitForOutput('marker-3');
    // Live again after the replay.
    second.mark();
    second.type('echo again-$((2+2))\r');
    await second.waitForOutput('again-4');

    // A third attach replaces the second, which is closed with 4000.
    const third = await openTerminal(server, { session });
    expect(await second.closed).toEqual({ code: CLOSE.replaced, reason: 'replaced' });
    third.type('echo third-$((3+3))\r');
    await third.waitForOutput('third-6');
    await third.close();
  });

  it('pauses the pty when output is not acked, and resumes on acks', async () => {
    const t = await openTerminal(server, { ack: false });
    await t.waitForMessage('hello');
    t.type('yes | head -c 50000000; echo flow-$((5*5))\r');
    const start = Date.now();
    while (t.received < FLOW_HIGH_BYTES && Date.now() - start < 10_000) await sleep(20);
    expect(t.received).toBeGreaterThanOrEqual(FLOW_HIGH_BYTES);
    await sleep(1_000);
    const after1s = t.received;
    await sleep(500);
    const after15s = t.received;
    // Paused: bounded by HIGH plus what was in flight, and not growing.
    expect(after15s).toBeLessThan(2 * 1024 * 1024);
    expect(after15s - after1s).toBeLessThan(64 * 1024);

    // Acks resume it.
    t.ack = true;
    t.flushAck();
    const target = after15s + 4 * 1024 * 1024;
    const resumed = Date.now();
    while (t.received < target && Date.now() - resumed < 10_000) await sleep(20);
    expect(t.received).toBeGreaterThanOrEqual(target);
    t.type('\u0003');
    t.mark();
    t.type('echo stopped-$((4*4))\r');
    await t.waitForOutput('stopped-16', 5_000);
    await t.close();
  });

  it('Ctrl-C stops a flood and the prompt is back within 1 s', async () => {
    const t = await openTerminal(server);
    await t.waitForMessage('hello');
    t.type('yes\r');
    while (t.received < 1024 * 1024) await sleep(10);
    const sent = Date.now();
    t.type('\u0003');
    t.mark();
    t.type('echo ok-$((2+3))\r');
    await t.waitForOutput('ok-5', 1_000);
    expect(Date.now() - sent).toBeLessThan(1_000);
    await t.close();
  });

  it('sends exit and closes when the shell exits; the session is gone', async () => {
    const t = await openTerminal(server);
    const { session } = await t.waitForMessage('hello');
    t.type('exit 3\r');
    expect(await t.waitForMessage('exit')).toEqual({ t: 'exit', code: 3 });
    expect((await t.closed).code).toBe(CLOSE.normal);
    const again = await connect(server, { token: await getToken(server, LAB), lab: LAB, session });
    expect(again.refused && again.status).toBe(404);
  });

  describe('refuses before upgrading', () => {
    it('without a token: 401', async () => {
      const r = await connect(server, { lab: LAB });
      expect(r).toMatchObject({ refused: true, status: 401, body: { error: { code: 'TOKEN_INVALID' } } });
    });

    it('an unknown token: 401', async () => {
      const r = await connect(server, { lab: LAB, token: 'A'.repeat(43) });
      expect(r.refused && r.status).toBe(401);
    });

    it('a token used twice: 401 the second time', async () => {
      const token = await getToken(server, LAB);
      const first = await open(server, { token, lab: LAB });
      await first.waitForMessage('hello');
      const second = await connect(server, { token, lab: LAB });
      expect(second.refused && second.status).toBe(401);
      await first.close();
    });

    it('an Origin of another site: 403', async () => {
      const r = await connect(server, { lab: LAB, token: await getToken(server, LAB), origin: 'http://evil.example' });
      expect(r).toMatchObject({ refused: true, status: 403, body: { error: { code: 'CROSS_ORIGIN' } } });
    });

    it('no Origin: 403', async () => {
      const r = await connect(server, { lab: LAB, token: await getToken(server, LAB), origin: null });
      expect(r).toMatchObject({ refused: true, status: 403, body: { error: { code: 'CROSS_ORIGIN' } } });
    });

    it('a Host that is not ours (DNS rebinding): 403', async () => {
      const host = `evil.example:${server.port}`;
      const r = await connect(server, { lab: LAB, token: await getToken(server, LAB), host, origin: `http://${host}` });
      expect(r).toMatchObject({ refused: true, status: 403, body: { error: { code: 'HOST_NOT_ALLOWED' } } });
    });

    it('an unknown lab: 404; a token for another lab: 401', async () => {
      const r = await connect(server, { lab: 'nope/none', token: await getToken(server, LAB) });
      expect(r).toMatchObject({ refused: true, status: 404, body: { error: { code: 'LAB_UNKNOWN' } } });
    });

    it('a session that does not exist: 404', async () => {
      const r = await connect(server, { lab: LAB, token: await getToken(server, LAB), session: 'no-such-session' });
      expect(r).toMatchObject({ refused: true, status: 404, body: { error: { code: 'SESSION_UNKNOWN' } } });
    });

    it('another path: 404', async () => {
      const r = await connect({ url: `${server.url}/api/nope`, port: server.port }, { lab: LAB });
      expect(r.refused).toBe(true);
    });
  });

  describe('messages', () => {
    it('closes with 1009 on a frame over 64 KiB', async () => {
      const t = await openTerminal(server);
      await t.waitForMessage('hello');
      t.type('x'.repeat(70 * 1024));
      expect((await t.closed).code).toBe(CLOSE.tooBig);
    });

    it('closes with 1008 on invalid JSON, a wrong shape, or a binary frame', async () => {
      for (const bad of ['{nope', JSON.stringify({ t: 'resize', cols: 0, rows: 10 }), JSON.stringify({ t: 'shout' })]) {
        const t = await openTerminal(server);
        await t.waitForMessage('hello');
        t.ws.send(bad);
        const closed = await t.closed;
        expect(closed.code, bad).toBe(CLOSE.policy);
        expect(closed.reason.length).toBeGreaterThan(0);
      }
      const t = await openTerminal(server);
      await t.waitForMessage('hello');
      t.ws.send(Buffer.from('hi'), { binary: true });
      expect((await t.closed).code).toBe(CLOSE.policy);
    });
  });

  describe('token route', () => {
    it('issues a 32-byte base64url token valid for 60 s', async () => {
      const before = Date.now();
      const r = await request(server, 'GET', `/api/terminal/token?lab=${LAB}`);
      expect(r.status).toBe(200);
      expect(r.headers['cache-control']).toBe('no-store');
      expect(r.json.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const expires = Date.parse(r.json.expiresAt);
      expect(expires - before).toBeGreaterThan(59_000);
      expect(expires - before).toBeLessThan(61_000);
    });

    it('refuses an unknown lab (404), no lab (400), another origin (403), another Host (403)', async () => {
      expect((await request(server, 'GET', '/api/terminal/token?lab=nope/none')).status).toBe(404);
      expect((await request(server, 'GET', '/api/terminal/token')).status).toBe(400);
      expect((await request(server, 'GET', `/api/terminal/token?lab=${LAB}`, { headers: { origin: 'http://evil.example' } })).status).toBe(
        403,
      );
      expect(
        (await request(server, 'GET', `/api/terminal/token?lab=${LAB}`, { headers: { host: `evil.example:${server.port}` } })).status,
      ).toBe(403);
    });

    it('answers 426 to a plain GET of the socket path', async () => {
      expect((await request(server, 'GET', '/api/terminal')).status).toBe(426);
    });
  });
});

describe('terminal gateway limits (short timeouts)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      env: { MLOPS_LAB_TERMINAL_IDLE_MS: '300', MLOPS_LAB_TERMINAL_MAX_SESSIONS: '2', MLOPS_LAB_TERMINAL_TOKEN_TTL_MS: '200' },
    });
    Object.assign(server.env, shellEnv(server.home));
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('refuses a terminal before the lab is started: 409', async () => {
    const r = await connect(server, { lab: LAB, token: await getToken(server, LAB) });
    expect(r).toMatchObject({ refused: true, status: 409, body: { error: { code: 'WORKSPACE_MISSING' } } });
    await startLab(server);
  });

  it('refuses an expired token: 401', async () => {
    const token = await getToken(server, LAB);
    await sleep(300);
    const r = await connect(server, { lab: LAB, token });
    expect(r.refused && r.status).toBe(401);
  });

  it('ends a detached session after the idle timeout', async () => {
    const t = await openTerminal(server);
    const { session } = await t.waitForMessage('hello');
    t.type('echo pid-$$-end-$((1+1))\r');
    await t.waitForOutput('-end-2');
    const pid = Number(/pid-(\d+)-end/.exec(t.output())![1]);
    expect(isAlive(pid)).toBe(true);
    await t.close();
    const start = Date.now();
    while (isAlive(pid) && Date.now() - start < 5_000) await sleep(25);
    expect(isAlive(pid)).toBe(false);
    const again = await connect(server, { lab: LAB, token: await getToken(server, LAB), session });
    expect(again.refused && again.status).toBe(404);
  });

  it('keeps an attached session past the idle timeout', async () => {
    const t = await openTerminal(server);
    await t.waitForMessage('hello');
    await sleep(600);
    t.type('echo still-$((9*9))\r');
    await t.waitForOutput('still-81');
    await quit(t);
  });

  it('caps the sessions of a learner: the one beyond gets an error and 1013', async () => {
    const a = await openTerminal(server);
    const b = await openTerminal(server);
    await a.waitForMessage('hello');
    await b.waitForMessage('hello');
    const c = await openTerminal(server);
    expect(await c.waitForMessage('error')).toMatchObject({ t: 'error', code: 'TOO_MANY_SESSIONS' });
    expect((await c.closed).code).toBe(CLOSE.tryAgainLater);
    expect(c.messages.some((m) => m.t === 'hello')).toBe(false);
    await Promise.all([quit(a), quit(b)]);
  });
});
