import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM JavaScript without type declarations (it runs before `npm ci` matters)
import { patchHelmGoMod, patchKubernetesGoMod } from './setup-tofu.js';

const script = join(import.meta.dirname, 'setup-tofu.js');

describe('patchKubernetesGoMod', () => {
  it('drops replaces into ./vendor and the old x/sys pin, and fetches vbom.ml/util from GitHub', () => {
    const goMod = [
      'replace (',
      '\tk8s.io/client-go => k8s.io/client-go v0.19.1',
      '\tsigs.k8s.io/kustomize/pkg/transformers => ./vendor/k8s.io/cli-runtime/pkg/kustomize/k8sdeps/transformer',
      ')',
      'replace (',
      '\tgolang.org/x/sys => golang.org/x/sys v0.0.0-20200826173525-f9321e4c35a6',
      ')',
    ].join('\n');
    const patched = (patchKubernetesGoMod as (text: string) => string)(goMod);
    expect(patched).toContain('k8s.io/client-go => k8s.io/client-go v0.19.1');
    expect(patched).not.toContain('./vendor/');
    expect(patched).not.toContain('golang.org/x/sys =>');
    expect(patched).toContain('vbom.ml/util => github.com/fvbommel/util v0.0.0-20160121211510-db5cfe13f5cc');
  });
});

describe('patchHelmGoMod', () => {
  it('adds the vbom.ml/util replace once', () => {
    const patch = patchHelmGoMod as (text: string) => string;
    const once = patch('module github.com/hashicorp/terraform-provider-helm\n\ngo 1.14\n');
    expect(once).toContain('replace vbom.ml/util => github.com/fvbommel/util v0.0.0-20160121211510-db5cfe13f5cc');
    expect(patch(once)).toBe(once);
  });
});

describe('setup-tofu.js', () => {
  it('prints its usage with --help and refuses unknown arguments with exit 2', () => {
    const help = spawnSync(process.execPath, [script, '--help'], { encoding: 'utf8', timeout: 30_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('OpenTofu v1.10.7');
    const bad = spawnSync(process.execPath, [script, '--nope'], { encoding: 'utf8', timeout: 30_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown argument "--nope"');
  });

  it('exits 3 with how to install Go when there is none', () => {
    const r = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { PATH: '/nonexistent', GO: '/nonexistent/go', HOME: '/nonexistent' },
    });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/no Go toolchain found: GO=\/nonexistent\/go .*https:\/\/go\.dev\/dl\//);
  });
});
