/**
 * The layer reader against archives made by GNU tar (the real tool), laid
 * out as `docker save` writes them: the classic layout and the OCI one with
 * a gzip-compressed layer, pax long names and whiteouts.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { scanSavedImage, type LayerScanOptions } from './image-layers.ts';
import { ChunkReader, tarEntries } from './tar-reader.ts';

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tree(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mlops-lab-layers-'));
  dirs.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), content);
  }
  return dir;
}

/** `tar -c` of a folder's content, as bytes. */
async function tarOf(dir: string, format: 'gnu' | 'pax' = 'gnu', order: string[] = ['.']): Promise<Buffer> {
  const out = join(dir, '..', `${randomBytes(6).toString('hex')}.tar`);
  await run('tar', [`--format=${format}`, '-cf', out, '-C', dir, ...order]);
  const bytes = await readFile(out);
  await rm(out);
  return bytes;
}

function scanFile(path: string, options: LayerScanOptions) {
  return scanSavedImage(new ChunkReader(createReadStream(path, { highWaterMark: 1000 })), options);
}

const secrets: LayerScanOptions = {
  sniffBytes: 1024,
  classify: (f) => (f.path.endsWith('/.env') ? 'env' : f.content?.includes('PRIVATE KEY') ? 'key' : undefined),
};

describe('scanSavedImage', () => {
  it('returns a file added in one layer and deleted by a whiteout in a later one (classic layout)', async () => {
    const layer0 = await tarOf(await tree({ 'app/serve.py': 'print(1)\n', 'app/.env': 'TOKEN=x\n' }));
    const layer1 = await tarOf(await tree({ 'app/.wh..env': '' }));
    const config = {
      history: [{ created_by: 'COPY app/ /app/' }, { created_by: 'ENV A=b', empty_layer: true }, { created_by: 'RUN rm /app/.env' }],
    };
    const saved = await tree({
      'aaa/layer.tar': layer0,
      'aaa/json': '{}',
      'bbb/layer.tar': layer1,
      'cfg.json': JSON.stringify(config),
      'manifest.json': JSON.stringify([{ Config: 'cfg.json', Layers: ['aaa/layer.tar', 'bbb/layer.tar'] }]),
    });
    const archive = join(saved, '..', 'saved.tar');
    await writeFile(archive, await tarOf(saved));
    const scan = await scanFile(archive, secrets);
    expect(scan.findings).toEqual([{ layer: 0, path: '/app/.env', size: 8, reason: 'env', deletedInLayer: 1 }]);
    expect(scan.layers).toEqual([
      { index: 0, createdBy: 'COPY app/ /app/', files: 2, bytes: 17 },
      { index: 1, createdBy: 'RUN rm /app/.env', files: 0, bytes: 0 },
    ]);
    expect(scan.truncated).toBe(false);
  });

  it('reads gzip layers named by digest, pax long names, content and opaque-directory deletions (OCI layout)', async () => {
    const deep = `srv/${'very-long-folder-name/'.repeat(6)}deploy_key`;
    const key = ['-----BEGIN OPENSSH PRIV', 'ATE KEY-----\nabc\n'].join('');
    const layer0 = gzipSync(await tarOf(await tree({ [deep]: key, 'srv/readme.txt': 'hello' }), 'pax'));
    const layer1 = await tarOf(await tree({ 'srv/.wh..wh..opq': '', 'srv/new.txt': 'x' }));
    const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    const config = Buffer.from(JSON.stringify({ history: [{ created_by: 'COPY srv/ /srv/' }, { created_by: 'RUN rebuild /srv' }] }));
    const saved = await tree({
      'oci-layout': '{"imageLayoutVersion":"1.0.0"}',
      [`blobs/sha256/${digest(layer0)}`]: layer0,
      [`blobs/sha256/${digest(layer1)}`]: layer1,
      [`blobs/sha256/${digest(config)}`]: config,
      'index.json': '{}',
      'manifest.json': JSON.stringify([
        { Config: `blobs/sha256/${digest(config)}`, Layers: [`blobs/sha256/${digest(layer0)}`, `blobs/sha256/${digest(layer1)}`] },
      ]),
    });
    const archive = join(saved, '..', 'saved.tar');
    await writeFile(archive, await tarOf(saved));
    const scan = await scanFile(archive, secrets);
    expect(scan.findings).toEqual([{ layer: 0, path: `/${deep}`, size: key.length, reason: 'key', deletedInLayer: 1 }]);
    expect(scan.layers.map((l) => l.createdBy)).toEqual(['COPY srv/ /srv/', 'RUN rebuild /srv']);
  });

  it('returns at most maxFindings findings and says it left some out', async () => {
    const layer = await tarOf(await tree(Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`d${i}/.env`, 'A=b\n']))));
    const saved = await tree({ 'l/layer.tar': layer, 'manifest.json': JSON.stringify([{ Layers: ['l/layer.tar'] }]) });
    const archive = join(saved, '..', 'saved.tar');
    await writeFile(archive, await tarOf(saved));
    const scan = await scanFile(archive, { ...secrets, maxFindings: 2 });
    expect(scan.findings).toHaveLength(2);
    expect(scan.truncated).toBe(true);
  });

  it('errors, without hanging, on bytes that are not a tar archive', async () => {
    const dir = await tree({ 'junk.bin': randomBytes(4096) });
    await expect(scanFile(join(dir, 'junk.bin'), secrets)).rejects.toThrow(/not a tar archive/);
  });

  it('errors on an archive cut short in the middle of a layer', async () => {
    const saved = await tree({
      'l/layer.tar': await tarOf(await tree({ 'a.txt': 'a'.repeat(5000) })),
      'manifest.json': '[{"Layers":["l/layer.tar"]}]',
    });
    const whole = await tarOf(saved, 'gnu', ['l', 'manifest.json']);
    const cut = join(saved, '..', 'cut.tar');
    await writeFile(cut, whole.subarray(0, 3000));
    await expect(scanFile(cut, secrets)).rejects.toThrow(/truncated/);
  });

  it('errors on an archive without manifest.json', async () => {
    const saved = await tree({ 'l/layer.tar': await tarOf(await tree({ 'a.txt': 'a' })) });
    const archive = join(saved, '..', 'saved.tar');
    await writeFile(archive, await tarOf(saved));
    await expect(scanFile(archive, secrets)).rejects.toThrow(/no manifest\.json/);
  });
});

describe('tarEntries', () => {
  it('returns paths, sizes and types, and lets a body be read or skipped', async () => {
    const bytes = await tarOf(await tree({ 'a/b.txt': 'hello', 'c.bin': randomBytes(3000) }));
    const seen: string[] = [];
    for await (const entry of tarEntries(new ChunkReader([bytes]))) {
      seen.push(
        `${entry.type} ${entry.path} ${entry.size}${entry.path === 'a/b.txt' ? ` ${(await entry.body.read(100)).toString()}` : ''}`,
      );
    }
    expect(seen.sort()).toEqual(['directory  0', 'directory a/ 0', 'file a/b.txt 5 hello', 'file c.bin 3000'].sort());
  });
});
