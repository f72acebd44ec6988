import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultProbeDeps, probeTool } from './probes.ts';

async function closedPort(): Promise<number> {
  return await new Promise((resolvePort) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });
}

describe('probeTool: registry and compose', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('reports a registry that does not answer, with how to start one on that address', async () => {
    const port = await closedPort();
    const status = await probeTool('registry', defaultProbeDeps({ ...process.env, MLOPS_LAB_REGISTRY: `127.0.0.1:${port}` }));
    expect(status).toMatchObject({ tool: 'registry', ok: false, code: 'REGISTRY_UNAVAILABLE' });
    expect(status.fix).toContain(`-p 127.0.0.1:${port}:5000`);
    expect(status.fix).toContain(`REGISTRY_HTTP_ADDR=127.0.0.1:${port} docker-registry serve`);
  });

  it('reports an MLOPS_LAB_REGISTRY that is not a loopback address', async () => {
    const status = await probeTool('registry', defaultProbeDeps({ ...process.env, MLOPS_LAB_REGISTRY: 'registry.example.com:5000' }));
    expect(status).toMatchObject({ ok: false, code: 'REGISTRY_ADDRESS_INVALID' });
  });

  it('reports a missing Compose with how to install it', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'mlops-no-compose-'));
    dirs.push(empty);
    const status = await probeTool('compose', defaultProbeDeps({ PATH: empty }));
    expect(status).toMatchObject({ tool: 'compose', ok: false, code: 'COMPOSE_MISSING' });
    expect(status.fix).toMatch(/docker compose.*docker-compose/s);
  });
});
