/** `node site/server/main.ts --mentor` (and MLOPS_LAB_MODE) as a mentor would start it. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../test-helpers.ts';

const MAIN = resolve(fileURLToPath(import.meta.url), '..', '..', 'main.ts');

let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'mlops-lab-main-mentor-'));
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

function launch(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { ...process.env, MLOPS_LAB_HOME: home, PORT: '0', HOST: '', MLOPS_LAB_MODE: '', MLOPS_LAB_MENTOR_STORE: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return { child, lines, exit, stderr: () => stderr };
}

describe('site/server/main.ts in mentor mode', () => {
  for (const [how, args, env] of [
    ['--mentor', ['--mentor'], {}],
    ['MLOPS_LAB_MODE=mentor', [], { MLOPS_LAB_MODE: 'mentor' }],
  ] as const) {
    it(`returns the mentor routes when started with ${how}, on the store in the data home`, async () => {
      const { child, lines, exit } = launch([...args], env);
      try {
        const first = JSON.parse((await lines.next()).value as string);
        expect(first).toMatchObject({ msg: 'lab server listening', mode: 'mentor', mentorStore: join(home, 'mentor.json') });
        const server = { url: first.url as string };
        const session = await request(server, 'GET', '/api/mentor/session');
        expect(session.status).toBe(401);
        expect(session.json.error.code).toBe('SESSION_REQUIRED');
        expect((await request(server, 'GET', '/api/progress')).json.error.code).toBe('MENTOR_MODE');
        child.kill('SIGTERM');
        expect(await exit).toBe(0);
      } finally {
        child.kill('SIGKILL');
      }
    });
  }

  it('errors with exit 2 naming the value for an unknown MLOPS_LAB_MODE or argument', async () => {
    const bad = launch([], { MLOPS_LAB_MODE: 'teacher' });
    expect(await bad.exit).toBe(2);
    expect(bad.stderr()).toContain('teacher');
    const arg = launch(['--mentr'], {});
    expect(await arg.exit).toBe(2);
    expect(arg.stderr()).toContain('--mentr');
  });

  it('errors with exit 1 and the store’s next step when the mentor store is not usable', async () => {
    const { exit, stderr } = launch(['--mentor'], { MLOPS_LAB_MENTOR_STORE: 'ftp://nowhere/mentor' });
    expect(await exit).toBe(1);
    expect(stderr()).toContain('MLOPS_LAB_MENTOR_STORE');
  });
});
