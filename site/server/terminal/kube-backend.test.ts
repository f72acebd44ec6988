/**
 * The Kubernetes exec backend against a fixture API server (kube-exec-fixture.ts)
 * that bridges the v5/v4 channel protocol to a real pty running bash; and
 * once end to end through the real lab server and gateway.
 */
import { KubeEvidence } from '@mlops-lab/grader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB, request, startTestServer, type TestServer } from '../test-helpers.ts';
import type { SpawnOptions, TerminalProcess } from './backend.ts';
import { learnerNamespace } from '@mlops-lab/cluster/provision';
import { createKubeExecBackend, exitCodeFromStatus, KILLED_EXIT_CODE, workspaceNamespace, workspaceTarget } from './kube-backend.ts';
import { startKubeExecFixture, type KubeExecFixture } from './kube-exec-fixture.ts';
import { getToken, open } from './test-client.ts';

/** A process with its output collected and its exit awaited. */
function watch(proc: TerminalProcess) {
  let text = '';
  const waiters = new Set<() => void>();
  proc.onData((d) => {
    text += d.toString('utf8');
    for (const w of [...waiters]) w();
  });
  const exit = new Promise<number>((resolve) => proc.onExit(resolve));
  return {
    exit,
    text: () => text,
    waitFor(needle: string | RegExp, timeoutMs = 10_000): Promise<void> {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (typeof needle === 'string' ? text.includes(needle) : needle.test(text)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${String(needle)}; got ${JSON.stringify(text.slice(-400))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

function spawnOpts(learner = 'ana'): SpawnOptions {
  return { labId: LAB, learner, cwd: '/nowhere', env: {}, cols: 80, rows: 24 };
}

describe('workspace naming and exit codes', () => {
  it('execs into the namespace `mlops-lab cluster provision` made for the learner', () => {
    expect(workspaceTarget('ana')).toEqual({ namespace: learnerNamespace('ana'), pod: 'workspace', container: 'workspace' });
    expect(workspaceNamespace('Ana.Smith@Example')).not.toBe(workspaceNamespace('ana.smith@example'));
    for (const name of ['---', 'x'.repeat(200), 'Ünïcødé', '_root_']) {
      const ns = workspaceNamespace(name);
      expect(ns.length).toBeLessThanOrEqual(63);
      expect(ns).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
  });

  it('reads exit codes from the Status', () => {
    expect(exitCodeFromStatus({ status: 'Success' })).toBe(0);
    expect(exitCodeFromStatus({ status: 'Failure', details: { causes: [{ reason: 'ExitCode', message: '3' }] } })).toBe(3);
    expect(exitCodeFromStatus({ status: 'Failure', message: 'boom' })).toBe(1);
  });
});

describe('kubernetes exec backend (Kubernetes exec fixture server)', () => {
  let fixture: KubeExecFixture;
  let backend: ReturnType<typeof createKubeExecBackend>;

  beforeAll(async () => {
    fixture = await startKubeExecFixture();
    backend = createKubeExecBackend(new KubeEvidence({ KUBECONFIG: fixture.kubeconfig }));
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it('runs a command in the workspace pod (Kubernetes exec fixture server)', async () => {
    const proc = backend.spawn(spawnOpts());
    const out = watch(proc);
    proc.write('echo hello-$((6*7))\r');
    await out.waitFor('hello-42');
    const exec = fixture.execs.at(-1)!;
    expect(exec.request).toMatchObject({
      namespace: learnerNamespace('ana'),
      pod: 'workspace',
      container: 'workspace',
      stdin: true,
      stdout: true,
      tty: true,
      protocol: 'v5.channel.k8s.io',
      authorization: 'Bearer fixture-token',
    });
    expect(exec.request.command[0]).toBe('/bin/sh');
    proc.write('exit\r');
    expect(await out.exit).toBe(0);
  });

  it('resizes the pty (Kubernetes exec fixture server)', async () => {
    const proc = backend.spawn(spawnOpts());
    const out = watch(proc);
    proc.resize(123, 45);
    proc.write('stty size\r');
    await out.waitFor('45 123');
    const exec = fixture.execs.at(-1)!;
    expect(exec.resizes.at(-1)).toEqual({ cols: 123, rows: 45 });
    proc.resize(100, 30);
    proc.write('stty size\r');
    await out.waitFor('30 100');
    proc.kill();
    await out.exit;
  });

  it('reports the exit code (Kubernetes exec fixture server)', async () => {
    const proc = backend.spawn(spawnOpts());
    const out = watch(proc);
    proc.write('echo ready-$((1+1)); exit 3\r');
    await out.waitFor('ready-2');
    expect(await out.exit).toBe(3);
  });

  it('kill closes the exec (Kubernetes exec fixture server)', async () => {
    const proc = backend.spawn(spawnOpts());
    const out = watch(proc);
    proc.write('echo up-$((2*5))\r');
    await out.waitFor('up-10');
    const exec = fixture.execs.at(-1)!;
    proc.kill();
    proc.kill();
    expect(await out.exit).toBe(KILLED_EXIT_CODE);
    await exec.closed;
  });

  it('pauses and resumes output (Kubernetes exec fixture server)', async () => {
    const proc = backend.spawn(spawnOpts());
    const out = watch(proc);
    proc.write('echo go-$((3*3))\r');
    await out.waitFor('go-9');
    proc.pause();
    const before = out.text().length;
    proc.write('echo later-$((4*4))\r');
    await new Promise((r) => setTimeout(r, 300));
    expect(out.text().slice(before)).not.toContain('later-16');
    proc.resume();
    await out.waitFor('later-16');
    proc.kill();
    await out.exit;
  });

  it('shows why a shell could not be opened (Kubernetes exec fixture server)', async () => {
    const proc = createKubeExecBackend(new KubeEvidence({ KUBECONFIG: fixture.kubeconfig }), {
      target: () => ({ namespace: 'mlops-lab-ana', pod: 'Not_A_Pod', container: 'workspace' }),
    }).spawn(spawnOpts());
    const out = watch(proc);
    expect(await out.exit).toBe(1);
    expect(out.text()).toContain('Could not open a shell in pod Not_A_Pod');
  });
});

describe('terminal gateway with MLOPS_LAB_TERMINAL_BACKEND=cluster (Kubernetes exec fixture server)', () => {
  let fixture: KubeExecFixture;
  let server: TestServer;

  beforeAll(async () => {
    fixture = await startKubeExecFixture();
    server = await startTestServer({ env: { MLOPS_LAB_TERMINAL_BACKEND: 'cluster', KUBECONFIG: fixture.kubeconfig } });
    const r = await request(server, 'POST', `/api/labs/${LAB}/start`, { body: {} });
    expect([200, 201], r.text).toContain(r.status);
  });

  afterAll(async () => {
    await server?.dispose();
    await fixture?.close();
  });

  it('opens a shell in the workspace pod through the gateway (Kubernetes exec fixture server)', async () => {
    const t = await open(server, { token: await getToken(server, LAB), lab: LAB });
    await t.waitForMessage('hello');
    t.type('echo hello-$((6*7))\r');
    await t.waitForOutput('hello-42');
    expect(fixture.execs.at(-1)!.request.namespace).toBe(workspaceNamespace(server.learner));
    t.type('exit 3\r');
    expect(await t.waitForMessage('exit')).toEqual({ t: 'exit', code: 3 });
    await t.closed;
  });
});
