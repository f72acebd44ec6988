/** `node site/server/main.ts` as `npm start` will run it: one log line, then a clean stop on SIGTERM/SIGINT. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSse, request } from './test-helpers.ts';

const MAIN = resolve(fileURLToPath(import.meta.url), '..', 'main.ts');

let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'mlops-lab-main-'));
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

function launch(env: NodeJS.ProcessEnv): { child: ChildProcess; lines: AsyncIterator<string>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      MLOPS_LAB_HOME: home,
      MLOPS_LAB_LEARNER: 'main-test',
      DOCKER_HOST: `unix://${join(home, 'none.sock')}`,
      HOST: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return { child, lines, exit };
}

describe('site/server/main.ts', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`logs one "listening" line with the URL, serves, and exits 0 on ${signal} with an event stream open`, async () => {
      const { child, lines, exit } = launch({ PORT: '0' });
      try {
        const first = JSON.parse((await lines.next()).value as string);
        expect(first).toMatchObject({
          level: 'info',
          msg: 'lab server listening',
          url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        });
        const server = { url: first.url as string };
        expect((await request(server, 'GET', '/api/labs')).status).toBe(200);
        const stream = await openSse(server, '/api/stream');
        child.kill(signal);
        expect(await exit).toBe(0);
        await stream.ended;
        const rest: string[] = [];
        for (let next = await lines.next(); !next.done; next = await lines.next()) rest.push(next.value);
        expect(rest.map((l) => JSON.parse(l).msg)).toContain('lab server stopping');
      } finally {
        child.kill('SIGKILL');
      }
    });
  }

  it('refuses an invalid PORT with a structured error and exit 2', async () => {
    const { child, exit } = launch({ PORT: 'eighty' });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    expect(await exit).toBe(2);
    expect(JSON.parse(stderr.trim().split('\n')[0]!)).toMatchObject({ level: 'error', msg: 'invalid PORT', value: 'eighty' });
  });
});
