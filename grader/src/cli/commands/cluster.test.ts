/**
 * `mlops-lab cluster provision|deprovision|namespace` as a learner's mentor
 * runs it: the real bin, against the fixture API server.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFixtureServer, type FixtureServer } from '@mlops-lab/cluster/fixture';
import { learnerNamespace, validateObjects, formatProblems } from '@mlops-lab/cluster/provision';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..', 'bin', 'mlops-lab.js');

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000, maxBuffer: 4 << 20 },
      (error, stdout, stderr) => done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('mlops-lab cluster provision --dry-run', () => {
  it('prints the isolation objects for "Ada Lovelace" as YAML that validates against the Kubernetes schemas', async () => {
    const { code, stdout, stderr } = await run(['cluster', 'provision', '--learner', 'Ada Lovelace', '--dry-run', '-o', 'yaml']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const docs = parseAllDocuments(stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
    expect(docs.map((d) => d.kind)).toEqual(
      expect.arrayContaining([
        'Namespace',
        'ServiceAccount',
        'RoleBinding',
        'ResourceQuota',
        'LimitRange',
        'NetworkPolicy',
        'PersistentVolumeClaim',
        'Pod',
      ]),
    );
    expect(docs.map((d) => d.kind)).not.toContain('ClusterRoleBinding');
    expect(docs.find((d) => d.kind === 'Namespace')?.metadata.name).toBe(learnerNamespace('Ada Lovelace'));
    expect(formatProblems(await validateObjects(docs))).toBe('');
  });

  it('errors with exit 2 and the next command when --learner is missing or -o is unknown', async () => {
    const missing = await run(['cluster', 'provision', '--dry-run']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--learner NAME is required');
    const format = await run(['cluster', 'provision', '--learner', 'x', '--dry-run', '-o', 'xml']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('Use `-o yaml` or `-o json`');
    const storage = await run(['cluster', 'provision', '--learner', 'x', '--dry-run', '--storage', 'lots']);
    expect(storage.code).toBe(2);
    expect(storage.stderr).toContain('--storage 5Gi');
    const control = await run(['cluster', 'namespace', '--learner', 'bad\u0007name']);
    expect(control.code).toBe(2);
    expect(control.stderr).toContain('control or invisible');
  });
});

describe('mlops-lab cluster on the fixture API server', () => {
  let fixture: FixtureServer;
  let dir: string;
  let kubeconfig: string;
  beforeAll(async () => {
    fixture = await startFixtureServer({ forbiddenTokens: ['no-rights'] });
    dir = await mkdtemp(join(tmpdir(), 'mlops-lab-cluster-cli-'));
    kubeconfig = await fixture.writeKubeconfig(dir);
  });
  afterAll(async () => {
    await fixture?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('provisions, changes nothing the second time, and deprovisions', async () => {
    const name = 'Zoë Ångström';
    const ns = learnerNamespace(name);
    const first = await run(['cluster', 'provision', '--learner', name], { KUBECONFIG: kubeconfig });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`${ns} is ready for "${name}"`);
    expect(first.stdout).toContain('(16 objects changed)');
    const second = await run(['cluster', 'provision', '--learner', name, '-o', 'json'], { KUBECONFIG: kubeconfig });
    const result = JSON.parse(second.stdout) as { objects: { action: string }[] };
    expect(new Set(result.objects.map((o) => o.action))).toEqual(new Set(['unchanged']));
    const gone = await run(['cluster', 'deprovision', '--learner', name], { KUBECONFIG: kubeconfig });
    expect(gone.code).toBe(0);
    expect(gone.stdout).toContain(`Deleted ${ns}`);
  });

  it('says what to do, without a stack trace, for a kubeconfig without rights and for a cluster that is down', async () => {
    const forbidden = await run(['cluster', 'provision', '--learner', 'Ada'], {
      KUBECONFIG: await fixture.writeKubeconfig(join(dir, 'nr'), { token: 'no-rights' }),
    });
    expect(forbidden.code).toBe(3);
    expect(forbidden.stderr).toMatch(/^error .*403 Forbidden|^error Your kubeconfig may not/m);
    expect(forbidden.stderr).toContain('next: ');
    expect(forbidden.stderr).not.toMatch(/\n\s+at /);

    const down = await startFixtureServer();
    const downConfig = await down.writeKubeconfig(join(dir, 'down'));
    await down.close();
    const unreachable = await run(['cluster', 'deprovision', '--learner', 'Ada'], { KUBECONFIG: downConfig });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain('is unreachable');
    expect(unreachable.stderr).toContain('next: Start the cluster');
    expect(unreachable.stderr).not.toMatch(/\n\s+at /);
  });
});
