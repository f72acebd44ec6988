import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EvidenceError } from '../../errors.ts';
import { WorkspaceFiles } from '../files.ts';
import { MANIFEST_LIMITS, formatPath, parseManifests, readManifests } from './manifests.ts';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: model-api
spec:
  replicas: 2
  selector:
    matchLabels:
      app: model-api
  template:
    metadata:
      labels:
        app: model-api
    spec:
      containers:
        - name: model-api
          image: mlops-lab/model-api:1.0.0
          ports:
            - containerPort: 8000
`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlops-lab-manifests-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function workspace(files: Record<string, string>): Promise<WorkspaceFiles> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return new WorkspaceFiles(dir);
}

describe('parseManifests', () => {
  it('returns a valid Deployment with its file, line, kind and name and no problems', async () => {
    const { objects, problems } = await parseManifests(DEPLOYMENT, 'k8s/deployment.yaml');
    expect(problems).toEqual([]);
    expect(objects).toHaveLength(1);
    expect(objects[0]).toMatchObject({
      file: 'k8s/deployment.yaml',
      line: 1,
      index: 0,
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'model-api',
    });
    expect(objects[0]!.lineOf(['spec', 'replicas'])).toBe(6);
    expect(objects[0]!.lineOf(['spec', 'template', 'spec', 'containers', 0, 'image'])).toBe(17);
    // A missing field points at its nearest parent: the container's first line.
    expect(objects[0]!.lineOf(['spec', 'template', 'spec', 'containers', 0, 'resources'])).toBe(16);
  });

  it('returns every object of a multi-document file, skipping empty documents', async () => {
    const service = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: model-api\nspec:\n  ports:\n    - port: 80\n';
    const { objects, problems } = await parseManifests(`---\n${DEPLOYMENT}---\n${service}---\n`, 'k8s/all.yaml');
    expect(problems).toEqual([]);
    expect(objects.map((o) => `${o.kind}/${o.name}@${o.line}`)).toEqual(['Deployment/model-api@2', 'Service/model-api@22']);
  });

  it('errors at the field path and line for a wrong type and a value outside an enum', async () => {
    const text = DEPLOYMENT.replace('replicas: 2', 'replicas: two').replace(
      'containerPort: 8000',
      'containerPort: 8000\n          imagePullPolicy: Sometimes',
    );
    const { problems } = await parseManifests(text, 'k8s/deployment.yaml');
    expect(problems).toContainEqual({ file: 'k8s/deployment.yaml', line: 6, path: 'spec.replicas', message: 'must be integer' });
    expect(problems).toContainEqual(
      expect.objectContaining({
        line: 20,
        path: 'spec.template.spec.containers[0].imagePullPolicy',
        message: 'must be one of `Always`, `IfNotPresent`, `Never`',
      }),
    );
  });

  it('errors on an unknown field the way kubectl apply --validate=strict does, suggesting the right name', async () => {
    const text = DEPLOYMENT.replace(
      '          ports:',
      '          readinessprobe:\n            httpGet: { path: /health, port: 8000 }\n          ports:',
    );
    const { problems } = await parseManifests(text, 'k8s/deployment.yaml');
    expect(problems).toEqual([
      {
        file: 'k8s/deployment.yaml',
        line: 18,
        path: 'spec.template.spec.containers[0].readinessprobe',
        message: 'is not a field Kubernetes knows (kubectl apply refuses it: unknown field); did you mean `readinessProbe`?',
      },
    ]);
  });

  it('errors on a required field that is missing, pointing at its parent', async () => {
    const text = DEPLOYMENT.replace('          image: mlops-lab/model-api:1.0.0\n', '').replace(
      '  selector:\n    matchLabels:\n      app: model-api\n',
      '',
    );
    const { problems } = await parseManifests(text, 'k8s/deployment.yaml');
    expect(problems.map((p) => `${p.path} ${p.message}`)).toContain('spec.selector is required');
  });

  it('errors with the right apiVersion for a kind in the wrong group, and with the spelling for a miscased kind', async () => {
    const wrongGroup = await parseManifests(DEPLOYMENT.replace('apps/v1', 'v1'), 'k8s/d.yaml');
    expect(wrongGroup.problems).toEqual([
      { file: 'k8s/d.yaml', line: 1, path: 'apiVersion', message: 'Deployment is not served in "v1"; use `apiVersion: apps/v1`' },
    ]);
    const removed = await parseManifests(DEPLOYMENT.replace('apps/v1', 'extensions/v1beta1'), 'k8s/d.yaml');
    expect(removed.problems[0]?.message).toBe('Deployment is not served in "extensions/v1beta1"; use `apiVersion: apps/v1`');
    const miscased = await parseManifests(DEPLOYMENT.replace('kind: Deployment', 'kind: deployment'), 'k8s/d.yaml');
    expect(miscased.problems).toEqual([
      { file: 'k8s/d.yaml', line: 2, path: 'kind', message: '"deployment" is not a kind; kinds are case-sensitive: write `Deployment`' },
    ]);
    const unknown = await parseManifests('apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n', 'k8s/w.yaml');
    expect(unknown.problems[0]?.message).toContain('"example.com/v1 Widget" is not a Kubernetes kind this grader knows');
  });

  it('errors on a document that is not an object, a syntax error and duplicate keys, naming the line', async () => {
    expect((await parseManifests('- a\n- b\n', 'k8s/list.yaml')).problems[0]).toMatchObject({
      line: 1,
      message: expect.stringContaining('is a list, not a Kubernetes object'),
    });
    expect((await parseManifests('apiVersion: v1\nkind: [Service\n', 'k8s/bad.yaml')).problems[0]?.message).toMatch(/^is not valid YAML/);
    const dup = await parseManifests('apiVersion: v1\nkind: Service\nkind: Pod\nmetadata:\n  name: x\n', 'k8s/dup.yaml');
    expect(dup.problems[0]).toMatchObject({ line: 3, message: expect.stringContaining('is not valid YAML') });
  });

  it('errors quickly on a YAML alias bomb ("billion laughs") instead of expanding it', async () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      lines.push(`${next}: &${next} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`);
    }
    const started = Date.now();
    const { objects, problems } = await parseManifests(`${lines.join('\n')}\n`, 'k8s/bomb.yaml');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(objects).toEqual([]);
    expect(problems).toEqual([
      expect.objectContaining({ file: 'k8s/bomb.yaml', message: expect.stringContaining('uses YAML aliases too often') }),
    ]);
  });

  it('errors on nesting deeper than the limit, in flow and in block style, without a stack overflow', async () => {
    const flow = await parseManifests(`a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, 'k8s/flow.yaml');
    expect(flow.problems[0]?.message).toContain(`nests brackets 100000 deep; the grader reads at most ${MANIFEST_LIMITS.maxDepth} levels`);
    const block = Array.from({ length: 60 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' x\n';
    const deep = await parseManifests(block, 'k8s/block.yaml');
    expect(deep.problems[0]?.message).toMatch(/^nests \d+ levels deep; the grader reads at most 40$/);
  });
});

describe('readManifests', () => {
  it('returns the objects of every *.yaml and *.yml under k8s/, sorted by path, ignoring other files', async () => {
    const files = await workspace({
      'k8s/b.yml': DEPLOYMENT.replace('name: model-api\nspec', 'name: other\nspec'),
      'k8s/a.yaml': DEPLOYMENT,
      'k8s/notes.txt': 'not yaml: [',
      'app.yaml': 'x: 1',
    });
    const set = await readManifests(files, 'k8s');
    expect(set.files).toEqual(['k8s/a.yaml', 'k8s/b.yml']);
    expect(set.objects.map((o) => o.name)).toEqual(['model-api', 'other']);
    expect(set.problems).toEqual([]);
  });

  it('returns an empty set when the folder does not exist', async () => {
    expect(await readManifests(await workspace({ 'README.md': 'x' }), 'k8s')).toEqual({ files: [], objects: [], problems: [] });
  });

  it('errors with FILE_TOO_LARGE and the file name for a 10 MB manifest, without reading it whole', async () => {
    const big = `${DEPLOYMENT}# ${'x'.repeat(10 * 1024 * 1024)}\n`;
    const files = await workspace({ 'k8s/huge.yaml': big });
    const started = Date.now();
    const error = await readManifests(files, 'k8s').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(EvidenceError);
    expect(error).toMatchObject({ code: 'FILE_TOO_LARGE' });
    expect((error as Error).message).toContain('k8s/huge.yaml is 10 MiB');
    expect((error as EvidenceError).nextStep).toContain('ls -lh k8s/huge.yaml');
  });

  it('errors with TOO_MANY_MANIFESTS when the folder holds more files than the grader reads', async () => {
    const many = Object.fromEntries(Array.from({ length: MANIFEST_LIMITS.maxFiles + 1 }, (_, i) => [`k8s/f${i}.yaml`, 'a: 1\n']));
    const error = await readManifests(await workspace(many), 'k8s').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'TOO_MANY_MANIFESTS' });
  });
});

describe('formatPath', () => {
  it('returns kubectl-style paths with indexes and quoted odd keys', () => {
    expect(formatPath(['spec', 'template', 'spec', 'containers', 0, 'ports', 1, 'containerPort'])).toBe(
      'spec.template.spec.containers[0].ports[1].containerPort',
    );
    expect(formatPath(['metadata', 'annotations', 'example.com/owner'])).toBe('metadata.annotations["example.com/owner"]');
  });
});
