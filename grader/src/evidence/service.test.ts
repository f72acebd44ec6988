import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvidenceError } from '../errors.ts';
import { parseProcfile, startService, stopWorkspaceServices, type RunningService } from './service.ts';

describe('parseProcfile', () => {
  it('splits commands like a shell and keeps $PORT for later', () => {
    const { entries, problems } = parseProcfile(
      '# the API\nweb: uvicorn app.main:app --host 127.0.0.1 --port $PORT\nworker: python -m jobs "nightly run" --port=${PORT}\n',
    );
    expect(problems).toEqual([]);
    expect(entries).toEqual([
      { process: 'web', argv: ['uvicorn', 'app.main:app', '--host', '127.0.0.1', '--port', '${PORT}'], line: 2 },
      { process: 'worker', argv: ['python', '-m', 'jobs', 'nightly run', '--port=${PORT}'], line: 3 },
    ]);
  });

  it('refuses shell operators, duplicate types and lines without a type, with the line number', () => {
    const { entries, problems } = parseProcfile('web: pip install -r req.txt && uvicorn app:app\nweb: node a.js\njust a command\nweb2:\n');
    expect(entries).toEqual([]);
    expect(problems).toEqual([
      expect.stringMatching(/^Procfile:1: "&&" is shell syntax/),
      expect.stringMatching(/^Procfile:2: process type "web" is declared twice/),
      expect.stringMatching(/^Procfile:3: expected "<type>: <command>"/),
      expect.stringMatching(/^Procfile:4: "web2" has no command/),
    ]);
  });

  it('says so when nothing is declared', () => {
    expect(parseProcfile('# nothing\n\n').problems).toEqual(['Procfile: no process is declared']);
  });
});

describe('startService (real processes on loopback)', () => {
  let dir: string;
  let home: string;
  const previousHome = process.env.MLOPS_LAB_HOME;
  const started: RunningService[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlops-lab-service-'));
    home = await mkdtemp(join(tmpdir(), 'mlops-lab-service-home-'));
    process.env.MLOPS_LAB_HOME = home;
    await writeFile(
      join(dir, 'server.mjs'),
      `import { createServer } from 'node:http';
       import { spawn } from 'node:child_process';
       if (process.env.SPAWN_CHILD) spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
       if (process.env.FLOOD) for (let i = 0; i < 2000; i++) process.stdout.write('x'.repeat(1023) + '\\n');
       console.log('listening on', process.env.PORT, 'secret', process.env.SECRET);
       createServer((req, res) => res.end(req.url === '/health' ? 'ok' : 'other')).listen(Number(process.env.PORT), '127.0.0.1');`,
    );
    await writeFile(join(dir, 'crash.mjs'), `console.error('Traceback: ModuleNotFoundError: no module named fastapi'); process.exit(4);`);
    await writeFile(join(dir, 'silent.mjs'), `setInterval(() => {}, 1000);`);
  });

  afterAll(async () => {
    for (const s of started) await s.stop();
    if (previousHome === undefined) delete process.env.MLOPS_LAB_HOME;
    else process.env.MLOPS_LAB_HOME = previousHome;
    await rm(dir, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  });

  it('starts on a free port with PORT filled in, answers, and stops with its children', async () => {
    const service = await startService({
      workspaceDir: dir,
      argv: [process.execPath, 'server.mjs', '--port', '${PORT}'],
      env: { SECRET: 's3', SPAWN_CHILD: '1' },
    });
    started.push(service);
    expect(service.url).toBe(`http://127.0.0.1:${service.port}`);
    expect(await (await fetch(`${service.url}/health`)).text()).toBe('ok');
    expect(service.output()).toContain(`listening on ${service.port} secret s3`);
    await service.stop();
    expect(service.exit()).toBeDefined();
    // The whole group is gone: the child it spawned too.
    const groupAlive = (): boolean => {
      try {
        process.kill(-service.pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await expect.poll(groupAlive, { timeout: 3_000 }).toBe(false);
    await expect(fetch(`${service.url}/health`)).rejects.toThrow();
  });

  it('reports a service that exits before it answers, with the tail of its output', async () => {
    const error = await startService({ workspaceDir: dir, argv: [process.execPath, 'crash.mjs'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EvidenceError);
    expect((error as EvidenceError).code).toBe('SERVICE_EXITED');
    expect((error as EvidenceError).message).toMatch(/exit code 4/);
    expect((error as EvidenceError).message).toContain('ModuleNotFoundError');
  });

  it('gives up on a service that never listens, within the deadline, and kills it', async () => {
    const t0 = Date.now();
    const error = await startService({ workspaceDir: dir, argv: [process.execPath, 'silent.mjs'], readyTimeoutMs: 1_200 }).catch((e: unknown) => e);
    expect((error as EvidenceError).code).toBe('SERVICE_NOT_READY');
    expect((error as EvidenceError).nextStep).toMatch(/\$PORT/);
    expect(Date.now() - t0).toBeLessThan(6_000);
  });

  it('keeps only a bounded tail of a flood of output', async () => {
    const service = await startService({ workspaceDir: dir, argv: [process.execPath, 'server.mjs'], env: { FLOOD: '1' }, maxOutputBytes: 64 * 1024 });
    started.push(service);
    expect(service.output().length).toBeLessThanOrEqual(64 * 1024);
    await service.stop();
  });

  it('names a program that is not installed', async () => {
    const error = await startService({ workspaceDir: dir, argv: ['no-such-server-xyz', 'app'] }).catch((e: unknown) => e);
    expect((error as EvidenceError).code).toBe('SERVICE_BAD_PROCFILE');
    expect((error as EvidenceError).message).toContain('no-such-server-xyz');
  });

  it('stopWorkspaceServices stops what a grader left running', async () => {
    const service = await startService({ workspaceDir: dir, argv: [process.execPath, 'server.mjs'] });
    expect(await stopWorkspaceServices(dir)).toBe(1);
    await expect.poll(() => service.exit(), { timeout: 5_000 }).toBeDefined();
    expect(await stopWorkspaceServices(dir)).toBe(0);
  });
});
