import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { describeWithTool, probeVenvTool, toolGate } from '../../test-support/tools.ts';
import { RegistryEvidence, registryAddress, splitReference } from './registry.ts';

describe('registryAddress', () => {
  it.each([
    [undefined, '127.0.0.1:5000'],
    ['127.0.0.1:5001', '127.0.0.1:5001'],
    ['http://localhost:5000/', 'localhost:5000'],
    ['[::1]:5000', '[::1]:5000'],
  ])('reads MLOPS_LAB_REGISTRY=%s as %s', (value, expected) => {
    expect(registryAddress({ MLOPS_LAB_REGISTRY: value })).toBe(expected);
  });

  it.each(['registry.example.com:5000', '10.0.0.5:5000', '127.0.0.1', '127.0.0.1:99999', 'https://127.0.0.1:5000/v2'])(
    'refuses %s with the next step',
    (value) => {
      expect(() => registryAddress({ MLOPS_LAB_REGISTRY: value })).toThrow(
        expect.objectContaining({ code: 'REGISTRY_ADDRESS_INVALID', nextStep: expect.stringMatching(/export MLOPS_LAB_REGISTRY=/) }),
      );
    },
  );
});

describe('splitReference', () => {
  it('keeps a registry port out of the tag', () => {
    expect(splitReference('127.0.0.1:5000/a/b:1.0.0')).toEqual({ repository: '127.0.0.1:5000/a/b', tag: '1.0.0' });
    expect(splitReference('127.0.0.1:5000/a/b')).toEqual({ repository: '127.0.0.1:5000/a/b', tag: 'latest' });
  });
});

// Status codes a registry (or something else on the port) can answer with,
// served by a plain HTTP server: the grader must turn each into guidance.
describe('RegistryEvidence against non-registry answers', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  });

  async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<RegistryEvidence> {
    const server = createHttpServer(handler);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return new RegistryEvidence({ MLOPS_LAB_REGISTRY: `127.0.0.1:${(server.address() as AddressInfo).port}` });
  }

  it('errors REGISTRY_UNAVAILABLE with how to start one when nothing listens', async () => {
    const port = await new Promise<number>((resolvePort) => {
      const probe = createNetServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolvePort(port));
      });
    });
    const error = await new RegistryEvidence({ MLOPS_LAB_REGISTRY: `127.0.0.1:${port}` }).ping().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REGISTRY_UNAVAILABLE', kind: 'environment' });
    expect((error as { nextStep: string }).nextStep).toMatch(/docker run -d --name mlops-registry -p 127\.0\.0\.1:\d+:5000/);
  });

  it('errors REGISTRY_NEEDS_AUTH on 401', async () => {
    const registry = await serve((_req, res) => res.writeHead(401, { 'docker-distribution-api-version': 'registry/2.0' }).end('{}'));
    await expect(registry.ping()).rejects.toMatchObject({ code: 'REGISTRY_NEEDS_AUTH' });
  });

  it('errors NOT_A_REGISTRY when another server answers', async () => {
    const registry = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>MLflow</h1>'));
    await expect(registry.ping()).rejects.toMatchObject({
      code: 'NOT_A_REGISTRY',
      message: expect.stringMatching(/not a Docker registry/),
    });
  });

  it('errors REGISTRY_DELETE_DISABLED on 405, saying how to enable deletes', async () => {
    const registry = await serve((_req, res) => res.writeHead(405).end('{"errors":[{"code":"UNSUPPORTED"}]}'));
    const error = await registry.deleteManifest('mlops-lab/loan-model', `sha256:${'a'.repeat(64)}`).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REGISTRY_DELETE_DISABLED' });
    expect((error as { nextStep: string }).nextStep).toMatch(/REGISTRY_STORAGE_DELETE_ENABLED=true/);
  });

  it('marks a manifest whose bytes do not hash to its digest as unverified', async () => {
    const body = JSON.stringify({
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { digest: `sha256:${'c'.repeat(64)}`, size: 2 },
      layers: [],
    });
    const registry = await serve((_req, res) =>
      res
        .writeHead(200, {
          'content-type': 'application/vnd.docker.distribution.manifest.v2+json',
          'docker-content-digest': `sha256:${'0'.repeat(64)}`,
        })
        .end(body),
    );
    expect(await registry.manifest('mlops-lab/loan-model', '1.0.0')).toMatchObject({ verified: false, digest: `sha256:${'0'.repeat(64)}` });
  });

  it('refuses names and references that are not valid before sending anything', async () => {
    let requests = 0;
    const registry = await serve((_req, res) => {
      requests++;
      res.end('{}');
    });
    await expect(registry.tags('../etc')).rejects.toMatchObject({ code: 'REGISTRY_BAD_NAME' });
    await expect(registry.manifest('mlops-lab/loan-model', 'a/../b')).rejects.toMatchObject({ code: 'REGISTRY_BAD_REFERENCE' });
    await expect(registry.blob('mlops-lab/loan-model', 'md5:abc')).rejects.toMatchObject({ code: 'REGISTRY_BAD_DIGEST' });
    expect(requests).toBe(0);
  });
});

// The real thing: Debian's docker-registry (distribution 2.8) on a free port.
const binary = await toolGate('docker-registry', probeVenvTool('docker-registry'), { hint: 'apt-get install docker-registry' });

describeWithTool(binary, 'RegistryEvidence against a real docker-registry process', () => {
  let dir = '';
  let child: ChildProcess | undefined;
  let registry: RegistryEvidence;

  afterAll(async () => {
    child?.kill('SIGTERM');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts and answers GET /v2/ with registry/2.0', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlops-registry-test-'));
    const port = await new Promise<number>((resolvePort) => {
      const probe = createNetServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolvePort(port));
      });
    });
    await writeFile(
      join(dir, 'config.yml'),
      `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n`,
    );
    child = spawn(binary.detail!, ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
    registry = new RegistryEvidence({ MLOPS_LAB_REGISTRY: `127.0.0.1:${port}` });
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        expect(await registry.ping()).toEqual({ apiVersion: 'registry/2.0' });
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  });

  it('reports an unknown repository as undefined, an empty catalog as []', async () => {
    expect(await registry.tags('mlops-lab/nothing-here')).toBeUndefined();
    expect(await registry.catalog()).toEqual([]);
    expect(await registry.manifest('mlops-lab/nothing-here', '1.0.0')).toBeUndefined();
    expect(await registry.blob('mlops-lab/nothing-here', `sha256:${'b'.repeat(64)}`)).toEqual({
      digest: `sha256:${'b'.repeat(64)}`,
      present: false,
    });
    expect(await registry.deleteAllTags('mlops-lab/nothing-here')).toEqual([]);
  });
});
