/**
 * Schema validation of the objects this package builds or renders (the
 * learner objects, the chart, the lab services): kubernetes-models' JSON
 * schemas for types and required fields, plus unknown fields (a typo such as
 * `securityContex` that kubectl's strict validation refuses), found along
 * @kubernetes/client-node's typed models.
 */
import * as k8s from '@kubernetes/client-node';

/** One thing wrong with one object: `Deployment/web spec.replicas: must be integer`. */
export interface ObjectProblem {
  object: string;
  path: string;
  message: string;
}

type Model = (new (data: unknown) => { validate(): void }) & { kind?: string; apiVersion?: string };
type Typed = { getAttributeTypeMap(): { baseName: string; type: string }[] };

async function modelOf(apiVersion: string, kind: string): Promise<Model | undefined> {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : [undefined, apiVersion];
  if (!version || !/^v\d+((alpha|beta)\d+)?$/.test(version) || (group !== undefined && !/^[a-z0-9.-]+$/.test(group))) return undefined;
  try {
    const mod = (await import(/* @vite-ignore */ `kubernetes-models/${group ? `${group}/` : ''}${version}`)) as Record<string, unknown>;
    const model = mod[kind] as Model | undefined;
    return typeof model === 'function' && model.apiVersion === apiVersion && model.kind === kind ? model : undefined;
  } catch {
    return undefined;
  }
}

/** The client-node model name of a kind: `apps/v1 Deployment` -> `V1Deployment`. */
function typedRoot(apiVersion: string, kind: string): string | undefined {
  const version = apiVersion.split('/').pop() ?? '';
  const name = `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
  const models = k8s as unknown as Record<string, Typed | undefined>;
  return typeof models[name]?.getAttributeTypeMap === 'function' ? name : undefined;
}

function unknownFields(object: Record<string, unknown>, root: string): { path: string; message: string }[] {
  const models = k8s as unknown as Record<string, Typed | undefined>;
  const found: { path: string; message: string }[] = [];
  const stack: { value: unknown; type: string; path: string }[] = [{ value: object, type: root, path: '' }];
  while (stack.length > 0 && found.length < 50) {
    const { value, type, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    const itemType = /^Array<(.+)>$/.exec(type)?.[1];
    if (itemType) {
      if (Array.isArray(value)) value.forEach((v, i) => stack.push({ value: v, type: itemType, path: `${path}[${i}]` }));
      continue;
    }
    const valueType = /^\{ \[key: string\]: (.+); \}$/.exec(type)?.[1];
    if (valueType) {
      for (const [k, v] of Object.entries(value)) stack.push({ value: v, type: valueType, path: `${path}[${JSON.stringify(k)}]` });
      continue;
    }
    const fields = models[type]?.getAttributeTypeMap();
    if (!fields || Array.isArray(value)) continue;
    for (const [key, v] of Object.entries(value)) {
      const field = fields.find((f) => f.baseName === key);
      const at = path ? `${path}.${key}` : key;
      if (field) stack.push({ value: v, type: field.type, path: at });
      else found.push({ path: at, message: 'unknown field (kubectl apply --validate=strict refuses it)' });
    }
  }
  return found;
}

/** `/spec/containers/0/image` -> `spec.containers[0].image`, as kubectl names fields. */
function jsonPointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, p) => (/^\d+$/.test(p) ? `${path}[${p}]` : path ? `${path}.${p}` : p), '');
}

/** Every schema problem of `objects`; empty when all are valid. */
export async function validateObjects(objects: readonly unknown[]): Promise<ObjectProblem[]> {
  const problems: ObjectProblem[] = [];
  for (const raw of objects) {
    const object = (raw ?? {}) as Record<string, unknown>;
    const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
    const kind = typeof object.kind === 'string' ? object.kind : '';
    const name = (object.metadata as { name?: unknown } | undefined)?.name;
    const label = `${kind || '?'}/${typeof name === 'string' ? name : '?'}`;
    if (typeof name !== 'string' || name === '') problems.push({ object: label, path: 'metadata.name', message: 'is missing' });
    const model = await modelOf(apiVersion, kind);
    if (!model) {
      problems.push({ object: label, path: 'kind', message: `"${apiVersion} ${kind}" is not a Kubernetes kind` });
      continue;
    }
    try {
      new model(object).validate();
    } catch (error) {
      const details = (error as { errors?: { instancePath?: string; message?: string }[] }).errors;
      for (const d of details ?? [{ instancePath: '', message: (error as Error).message }]) {
        problems.push({ object: label, path: jsonPointerToPath(d.instancePath ?? ''), message: d.message ?? 'invalid' });
      }
    }
    const root = typedRoot(apiVersion, kind);
    if (root) for (const p of unknownFields(object, root)) problems.push({ object: label, ...p });
  }
  return problems;
}

/** Problems as lines a person can read: `Deployment/web spec.replicas: must be integer`. */
export function formatProblems(problems: readonly ObjectProblem[]): string {
  return problems.map((p) => `${p.object} ${p.path}: ${p.message}`).join('\n');
}
