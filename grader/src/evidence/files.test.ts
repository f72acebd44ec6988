import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EvidenceError } from '../errors.ts';
import { DEFAULT_MAX_FILE_BYTES, WorkspaceFiles, formatBytes } from './files.ts';

let base: string;
let root: string;
let files: WorkspaceFiles;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'mlops-lab-files-'));
  root = join(base, 'workspace');
  await mkdir(root);
  files = new WorkspaceFiles(root);
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

async function expectEvidenceError(promise: Promise<unknown>, code: string): Promise<EvidenceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected EvidenceError ${code}`).toBeInstanceOf(EvidenceError);
  expect((error as EvidenceError).code).toBe(code);
  return error as EvidenceError;
}

describe('WorkspaceFiles.readText', () => {
  it('returns the content of a normal file, also in a subfolder', async () => {
    await writeFile(join(root, 'Dockerfile'), 'FROM python:3.11-slim-bookworm\n');
    await mkdir(join(root, 'app'));
    await writeFile(join(root, 'app', 'serve.py'), 'print("héllo")\n');
    expect(await files.readText('Dockerfile')).toBe('FROM python:3.11-slim-bookworm\n');
    expect(await files.readText('app/serve.py')).toBe('print("héllo")\n');
    expect(await files.readText('./app/serve.py')).toBe('print("héllo")\n');
  });

  it('returns an empty string for an empty file', async () => {
    await writeFile(join(root, 'empty.txt'), '');
    expect(await files.readText('empty.txt')).toBe('');
  });

  it('returns a file whose name merely contains two dots', async () => {
    await writeFile(join(root, 'notes..txt'), 'ok');
    expect(await files.readText('notes..txt')).toBe('ok');
  });

  it('errors with PATH_OUTSIDE_WORKSPACE for ../x', async () => {
    await writeFile(join(base, 'x'), 'outside');
    const error = await expectEvidenceError(files.readText('../x'), 'PATH_OUTSIDE_WORKSPACE');
    expect(error.message).toContain('../x');
    expect(error.nextStep).toBeTruthy();
    await expectEvidenceError(files.readText('app/../../x'), 'PATH_OUTSIDE_WORKSPACE');
  });

  it('errors with PATH_OUTSIDE_WORKSPACE for an absolute path, even one inside the workspace', async () => {
    await writeFile(join(root, 'inside.txt'), 'x');
    await expectEvidenceError(files.readText('/etc/passwd'), 'PATH_OUTSIDE_WORKSPACE');
    await expectEvidenceError(files.readText(join(root, 'inside.txt')), 'PATH_OUTSIDE_WORKSPACE');
  });

  it('errors with PATH_OUTSIDE_WORKSPACE naming the link for a symlink to /etc/passwd', async () => {
    await symlink('/etc/passwd', join(root, 'passwd-link'));
    const error = await expectEvidenceError(files.readText('passwd-link'), 'PATH_OUTSIDE_WORKSPACE');
    expect(error.message).toContain('passwd-link');
    expect(error.message).toContain('/etc/passwd');
    expect(error.nextStep).toContain('passwd-link');
    await expectEvidenceError(files.exists('passwd-link'), 'PATH_OUTSIDE_WORKSPACE');
  });

  it('errors with PATH_OUTSIDE_WORKSPACE for a file reached through a symlinked folder outside', async () => {
    await mkdir(join(base, 'secrets'));
    await writeFile(join(base, 'secrets', 'key.txt'), 'top secret');
    await symlink(join(base, 'secrets'), join(root, 'linked'));
    await expectEvidenceError(files.readText('linked/key.txt'), 'PATH_OUTSIDE_WORKSPACE');
  });

  it('returns the target content for a symlink that stays inside the workspace', async () => {
    await mkdir(join(root, 'model'));
    await writeFile(join(root, 'model', 'model.json'), '{"w":[1,2]}');
    await symlink('model/model.json', join(root, 'current.json'));
    expect(await files.readText('current.json')).toBe('{"w":[1,2]}');
    expect(await files.exists('current.json')).toBe(true);
    expect(await files.resolve('current.json')).toBe(await files.resolve('model/model.json'));
  });

  it('errors with FILE_TOO_LARGE for a 1 GiB sparse file without reading it', async () => {
    const big = join(root, 'big.bin');
    await writeFile(big, '');
    await truncate(big, 1024 ** 3);
    const error = await expectEvidenceError(files.readText('big.bin'), 'FILE_TOO_LARGE');
    expect(error.message).toContain('big.bin');
    expect(error.message).toContain('1.0 GiB');
    expect(error.message).toContain(formatBytes(DEFAULT_MAX_FILE_BYTES));
    expect(error.nextStep).toContain('ls -lh big.bin');
  });

  it('errors with FILE_TOO_LARGE one byte above a custom maxBytes, and returns the file at exactly maxBytes', async () => {
    await writeFile(join(root, 'ten.txt'), '0123456789');
    expect(await files.readText('ten.txt', { maxBytes: 10 })).toBe('0123456789');
    await expectEvidenceError(files.readText('ten.txt', { maxBytes: 9 }), 'FILE_TOO_LARGE');
  });

  it('errors with NOT_A_FILE for a FIFO and does not block on it', async () => {
    const fifo = join(root, 'pipe');
    execFileSync('mkfifo', [fifo]);
    // Nobody ever writes to the FIFO: opening it for reading would block forever.
    const error = await expectEvidenceError(files.readText('pipe'), 'NOT_A_FILE');
    expect(error.message).toContain('pipe');
  });

  it('errors with NOT_A_FILE for a folder', async () => {
    await mkdir(join(root, 'app'));
    await expectEvidenceError(files.readText('app'), 'NOT_A_FILE');
  });

  it('errors with FILE_NOT_FOUND for a missing file', async () => {
    const error = await expectEvidenceError(files.readText('missing.txt'), 'FILE_NOT_FOUND');
    expect(error.message).toContain('missing.txt');
    expect(await files.exists('missing.txt')).toBe(false);
  });

  it('errors with FILE_NOT_FOUND for a dangling symlink', async () => {
    await symlink(join(root, 'gone.txt'), join(root, 'dangling'));
    await expectEvidenceError(files.readText('dangling'), 'FILE_NOT_FOUND');
  });

  it('errors with WORKSPACE_MISSING when the workspace folder does not exist', async () => {
    const missing = new WorkspaceFiles(join(base, 'no-such-workspace'));
    const error = await expectEvidenceError(missing.readText('Dockerfile'), 'WORKSPACE_MISSING');
    expect(error.message).toContain(join(base, 'no-such-workspace'));
    expect(error.nextStep).toContain('mlops-lab start');
    await expectEvidenceError(missing.list(), 'WORKSPACE_MISSING');
    await expectEvidenceError(missing.exists('Dockerfile'), 'WORKSPACE_MISSING');
  });
});

describe('WorkspaceFiles.list', () => {
  it('returns every regular file recursively with sizes and / separators', async () => {
    await writeFile(join(root, 'Dockerfile'), 'FROM x\n');
    await mkdir(join(root, 'app', 'sub'), { recursive: true });
    await writeFile(join(root, 'app', 'serve.py'), '12345');
    await writeFile(join(root, 'app', 'sub', 'a.txt'), '');
    const listed = (await files.list()).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    expect(listed).toEqual([
      { path: 'Dockerfile', size: 7 },
      { path: 'app/serve.py', size: 5 },
      { path: 'app/sub/a.txt', size: 0 },
    ]);
    expect((await files.list('app')).map((f) => f.path).sort()).toEqual(['app/serve.py', 'app/sub/a.txt']);
  });

  it('returns no file from behind a symlinked folder (inside or outside the workspace)', async () => {
    await mkdir(join(base, 'outside'));
    await writeFile(join(base, 'outside', 'secret.txt'), 'secret');
    await mkdir(join(root, 'real'));
    await writeFile(join(root, 'real', 'inside.txt'), 'x');
    await symlink(join(base, 'outside'), join(root, 'out-link'));
    await symlink(join(root, 'real'), join(root, 'in-link'));
    const paths = (await files.list()).map((f) => f.path);
    expect(paths).toContain('real/inside.txt');
    expect(paths).not.toContain('out-link/secret.txt');
    expect(paths).not.toContain('in-link/inside.txt');
    expect(paths.some((p) => p.startsWith('out-link/') || p.startsWith('in-link/'))).toBe(false);
  });

  it('returns a symlink loop without walking into it', async () => {
    await mkdir(join(root, 'a'));
    await symlink(join(root, 'a'), join(root, 'a', 'loop'));
    const paths = (await files.list()).map((f) => f.path);
    expect(paths.filter((p) => p.startsWith('a/loop/'))).toEqual([]);
  });

  it('returns no FIFO', async () => {
    execFileSync('mkfifo', [join(root, 'pipe')]);
    await writeFile(join(root, 'file.txt'), 'x');
    expect((await files.list()).map((f) => f.path)).toEqual(['file.txt']);
  });

  it('errors with TOO_MANY_FILES above maxEntries and returns exactly maxEntries', async () => {
    for (let i = 0; i < 5; i++) await writeFile(join(root, `f${i}.txt`), String(i));
    expect(await files.list('.', { maxEntries: 5 })).toHaveLength(5);
    const error = await expectEvidenceError(files.list('.', { maxEntries: 4 }), 'TOO_MANY_FILES');
    expect(error.message).toContain('4');
    expect(error.nextStep).toBeTruthy();
  });

  it('returns files outside skipped folders and counts only those toward maxEntries', async () => {
    await mkdir(join(root, 'node_modules'));
    for (let i = 0; i < 10; i++) await writeFile(join(root, 'node_modules', `m${i}.js`), '');
    await writeFile(join(root, 'main.py'), '');
    const listed = await files.list('.', { maxEntries: 1, skip: (rel) => rel === 'node_modules' });
    expect(listed.map((f) => f.path)).toEqual(['main.py']);
  });

  it('errors with PATH_OUTSIDE_WORKSPACE when listing ../', async () => {
    await expectEvidenceError(files.list('..'), 'PATH_OUTSIDE_WORKSPACE');
  });

  it('errors with PATH_OUTSIDE_WORKSPACE when listing a symlinked folder that leads outside', async () => {
    await mkdir(join(base, 'outside'));
    await symlink(join(base, 'outside'), join(root, 'out-link'));
    await expectEvidenceError(files.list('out-link'), 'PATH_OUTSIDE_WORKSPACE');
  });
});

describe('formatBytes', () => {
  it('returns bytes, KiB, MiB and GiB with one decimal below 10', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(1024 * 1024)).toBe('1.0 MiB');
    expect(formatBytes(300 * 1024 * 1024)).toBe('300 MiB');
    expect(formatBytes(1024 ** 3)).toBe('1.0 GiB');
  });
});
