import { LineCounter, isMap, isNode, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';
import { EvidenceError } from '../../errors.ts';
import type { WorkspaceFiles } from '../files.ts';
import { loadKubernetesClient } from '../kube.ts';
import type { KubeObject } from './apply.ts';

/** Caps that keep a hostile or mistaken manifest from stalling the grader. */
export const MANIFEST_LIMITS = {
  /** Bytes of one manifest file. */
  maxFileBytes: 512 * 1024,
  /** Manifest files under the folder. */
  maxFiles: 50,
  /** Objects across all files. */
  maxObjects: 200,
  /** Alias references in one document (a "billion laughs" bomb needs many). */
  maxAliasCount: 50,
  /** Nesting of maps and lists in one object. Real manifests stay under 20. */
  maxDepth: 40,
} as const;

/** One thing wrong with a manifest, pointing at the file, line and field. */
export interface ManifestProblem {
  /** Workspace-relative path, e.g. `k8s/deployment.yaml`. */
  file: string;
  /** 1-based line of the field (or of the document when no field applies). */
  line: number;
  /** Dotted field path, e.g. `spec.template.spec.containers[0].ports[0].containerPort`; empty for the whole document. */
  path: string;
  message: string;
}

/** One object of a manifest file. */
export interface ManifestObject {
  file: string;
  /** 1-based line where the document starts. */
  line: number;
  /** 0-based index of the document in its file. */
  index: number;
  apiVersion: string;
  kind: string;
  name: string;
  /** The object as plain JSON. */
  object: KubeObject;
  /** Schema problems of this object (empty when it is valid). */
  problems: ManifestProblem[];
  /** 1-based line of a field of this object, e.g. `['data', 'API_KEY']` (a missing field gives its nearest parent's line). */
  lineOf(path: readonly (string | number)[]): number;
}

export interface ManifestSet {
  /** The manifest files read, workspace-relative. */
  files: string[];
  /** Every object found, valid or not. */
  objects: ManifestObject[];
  /** Every problem: syntax errors, documents that are not objects, schema problems. */
  problems: ManifestProblem[];
}

/**
 * Reads every `*.yaml` / `*.yml` under `dir` of the workspace (recursively),
 * parses each file's documents safely (size cap, alias and depth limits,
 * duplicate keys refused) and validates each object against the Kubernetes
 * schemas (kubernetes-models), plus unknown fields the way
 * `kubectl apply --validate=strict` refuses them. A missing folder gives an
 * empty set; oversized input throws an EvidenceError.
 */
export async function readManifests(files: WorkspaceFiles, dir = 'k8s'): Promise<ManifestSet> {
  if (!(await files.exists(dir))) return { files: [], objects: [], problems: [] };
  const listed = (await files.list(dir, { maxEntries: 1_000 }))
    .filter((f) => /\.ya?ml$/i.test(f.path))
    .sort((a, b) => a.path.localeCompare(b.path));
  if (listed.length > MANIFEST_LIMITS.maxFiles) {
    throw new EvidenceError(
      'TOO_MANY_MANIFESTS',
      `${dir}/ holds ${listed.length} YAML files; the grader reads at most ${MANIFEST_LIMITS.maxFiles}.`,
      `Keep only this lab's manifests in ${dir}/.`,
    );
  }
  const set: ManifestSet = { files: [], objects: [], problems: [] };
  for (const info of listed) {
    const text = await files.readText(info.path, { maxBytes: MANIFEST_LIMITS.maxFileBytes });
    set.files.push(info.path);
    const parsed = await parseManifests(text, info.path);
    set.objects.push(...parsed.objects);
    set.problems.push(...parsed.problems);
    if (set.objects.length > MANIFEST_LIMITS.maxObjects) {
      throw new EvidenceError(
        'TOO_MANY_OBJECTS',
        `${dir}/ describes more than ${MANIFEST_LIMITS.maxObjects} objects.`,
        `Keep only this lab's manifests in ${dir}/.`,
      );
    }
  }
  return set;
}

/** Parses and validates the documents of one manifest file's text. */
export async function parseManifests(text: string, file: string): Promise<{ objects: ManifestObject[]; problems: ManifestProblem[] }> {
  const objects: ManifestObject[] = [];
  const problems: ManifestProblem[] = [];
  const lines = new LineCounter();
  const flowDepth = maxFlowDepth(text);
  if (flowDepth > MANIFEST_LIMITS.maxDepth) {
    problems.push({
      file,
      line: 1,
      path: '',
      message: `nests brackets ${flowDepth} deep; the grader reads at most ${MANIFEST_LIMITS.maxDepth} levels`,
    });
    return { objects, problems };
  }
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true }) as Document.Parsed[];
  } catch (error) {
    problems.push({ file, line: 1, path: '', message: `is not valid YAML: ${(error as Error).message}` });
    return { objects, problems };
  }
  if (!Array.isArray(docs)) docs = [docs];
  const lineOf = (offset: number | undefined): number => (offset === undefined ? 1 : Math.max(1, lines.linePos(offset).line));
  for (const [index, doc] of docs.entries()) {
    const docLine = lineOf(doc.contents?.range?.[0] ?? doc.range?.[0]);
    if (doc.errors.length > 0) {
      for (const error of doc.errors.slice(0, 3)) {
        problems.push({ file, line: lineOf(error.pos[0]), path: '', message: `is not valid YAML: ${firstLine(error.message)}` });
      }
      continue;
    }
    if (doc.contents === null) continue; // an empty document, e.g. after a trailing `---`
    const depth = nodeDepth(doc.contents);
    if (depth > MANIFEST_LIMITS.maxDepth) {
      problems.push({
        file,
        line: docLine,
        path: '',
        message: `nests ${depth} levels deep; the grader reads at most ${MANIFEST_LIMITS.maxDepth}`,
      });
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MANIFEST_LIMITS.maxAliasCount });
    } catch (error) {
      const message = (error as Error).message;
      problems.push({
        file,
        line: docLine,
        path: '',
        message: /alias/i.test(message)
          ? `uses YAML aliases too often (${firstLine(message)}); write the values out instead`
          : `could not be read: ${firstLine(message)}`,
      });
      continue;
    }
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      problems.push({
        file,
        line: docLine,
        path: '',
        message: `document ${index + 1} is a ${Array.isArray(value) ? 'list' : typeof value}, not a Kubernetes object (a map with apiVersion, kind and metadata)`,
      });
      continue;
    }
    const object = value as Record<string, unknown>;
    const at = (path: (string | number)[]): number => lineOf(nearestNode(doc, path)?.range?.[0] ?? doc.contents?.range?.[0]);
    const objectProblems = (await validateObject(object)).map((p) => ({
      file,
      line: at(p.path),
      path: formatPath(p.path),
      message: p.message,
    }));
    const metadata = (object.metadata ?? {}) as { name?: unknown };
    const entry: ManifestObject = {
      file,
      line: docLine,
      index,
      apiVersion: typeof object.apiVersion === 'string' ? object.apiVersion : '',
      kind: typeof object.kind === 'string' ? object.kind : '',
      name: typeof metadata.name === 'string' ? metadata.name : '',
      object: object as KubeObject,
      problems: objectProblems,
      lineOf: (path) => at([...path]),
    };
    objects.push(entry);
    problems.push(...objectProblems);
  }
  return { objects, problems };
}

interface RawProblem {
  path: (string | number)[];
  message: string;
}

/** The apiVersion each common kind lives in, for "did you mean" on wrong apiVersions. */
const HOME_OF_KIND: Record<string, string> = {
  Pod: 'v1',
  Service: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  ServiceAccount: 'v1',
  PersistentVolumeClaim: 'v1',
  PersistentVolume: 'v1',
  Namespace: 'v1',
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  Ingress: 'networking.k8s.io/v1',
  IngressClass: 'networking.k8s.io/v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  Role: 'rbac.authorization.k8s.io/v1',
  RoleBinding: 'rbac.authorization.k8s.io/v1',
  ClusterRole: 'rbac.authorization.k8s.io/v1',
  ClusterRoleBinding: 'rbac.authorization.k8s.io/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  PodDisruptionBudget: 'policy/v1',
  StorageClass: 'storage.k8s.io/v1',
};

/** API groups kubernetes-models ships, i.e. the only module paths we ever import. */
const MODEL_GROUPS = new Set([
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'apps',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
]);

type ModelClass = (new (data: unknown) => { validate(): void }) & { kind?: string; apiVersion?: string };

/** The kubernetes-models class for an apiVersion and kind, or undefined when that pair does not exist. */
async function modelFor(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const match = /^(?:([a-z0-9.-]+)\/)?(v\d+(?:(?:alpha|beta)\d+)?)$/.exec(apiVersion);
  if (!match || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  const [, group, version] = match;
  if (group !== undefined && !MODEL_GROUPS.has(group)) return undefined;
  try {
    const mod = (await import(/* @vite-ignore */ `kubernetes-models/${group ? `${group}/` : ''}${version}`)) as Record<string, unknown>;
    const model = mod[kind] as ModelClass | undefined;
    return typeof model === 'function' && model.kind === kind && model.apiVersion === apiVersion ? model : undefined;
  } catch {
    return undefined;
  }
}

async function validateObject(object: Record<string, unknown>): Promise<RawProblem[]> {
  const { apiVersion, kind } = object;
  const problems: RawProblem[] = [];
  if (typeof apiVersion !== 'string' || apiVersion === '')
    problems.push({ path: ['apiVersion'], message: 'is missing: every object needs an apiVersion, e.g. `apps/v1` for a Deployment' });
  if (typeof kind !== 'string' || kind === '')
    problems.push({ path: ['kind'], message: 'is missing: every object needs a kind, e.g. `Deployment`' });
  const metadata = object.metadata as { name?: unknown } | undefined;
  if (typeof metadata?.name !== 'string' || metadata.name === '')
    problems.push({ path: ['metadata', 'name'], message: 'is missing: every object needs a name' });
  if (problems.some((p) => p.path[0] === 'apiVersion' || p.path[0] === 'kind')) return problems;
  const model = await modelFor(apiVersion as string, kind as string);
  if (!model) {
    const home =
      HOME_OF_KIND[kind as string] ?? Object.entries(HOME_OF_KIND).find(([k]) => k.toLowerCase() === String(kind).toLowerCase())?.[1];
    const rightKind = Object.keys(HOME_OF_KIND).find((k) => k.toLowerCase() === String(kind).toLowerCase());
    if (home && rightKind && rightKind !== kind) {
      problems.push({ path: ['kind'], message: `"${String(kind)}" is not a kind; kinds are case-sensitive: write \`${rightKind}\`` });
    } else if (home && home !== apiVersion) {
      problems.push({
        path: ['apiVersion'],
        message: `${String(kind)} is not served in "${String(apiVersion)}"; use \`apiVersion: ${home}\``,
      });
    } else {
      problems.push({
        path: ['kind'],
        message: `"${String(apiVersion)} ${String(kind)}" is not a Kubernetes kind this grader knows; check the spelling (\`kubectl api-resources\` lists them)`,
      });
    }
    return problems;
  }
  try {
    new model(object).validate();
  } catch (error) {
    const errors = (error as { errors?: { instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }[] })
      .errors;
    if (!errors) throw error;
    for (const e of errors) {
      const path = e.instancePath
        .split('/')
        .slice(1)
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      if (e.keyword === 'required') {
        const missing = String(e.params.missingProperty ?? '');
        problems.push({ path: [...path, missing], message: 'is required' });
      } else if (e.keyword === 'enum') {
        problems.push({
          path,
          message: `must be one of ${(e.params.allowedValues as unknown[]).map((v) => `\`${String(v)}\``).join(', ')}`,
        });
      } else {
        problems.push({ path, message: e.message ?? e.keyword });
      }
    }
  }
  problems.push(...(await unknownFields(object)));
  // ajv can report the same field twice (oneOf branches): keep one of each.
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${formatPath(p.path)}\0${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface AttributeType {
  name: string;
  baseName: string;
  type: string;
}
type TypedModel = { getAttributeTypeMap(): AttributeType[] };

/**
 * Fields the Kubernetes API does not know, found by walking the object
 * along @kubernetes/client-node's typed models, as
 * `kubectl apply --validate=strict` (the default) refuses them:
 * `unknown field "spec.replica"`.
 */
async function unknownFields(object: Record<string, unknown>): Promise<RawProblem[]> {
  const k8s = (await loadKubernetesClient()) as unknown as Record<string, unknown>;
  const [group, version] = String(object.apiVersion).includes('/')
    ? String(object.apiVersion).split('/')
    : ['core', String(object.apiVersion)];
  const versionPart = version!.charAt(0).toUpperCase() + version!.slice(1);
  const groupPart = group!.split('.')[0]!.charAt(0).toUpperCase() + group!.split('.')[0]!.slice(1);
  const candidates = [`${versionPart}${String(object.kind)}`, `${groupPart}${versionPart}${String(object.kind)}`];
  const root = candidates.map((c) => k8s[c] as TypedModel | undefined).find((m) => typeof m?.getAttributeTypeMap === 'function');
  if (!root) return [];
  const problems: RawProblem[] = [];
  const walk = (value: unknown, type: string, path: (string | number)[]): void => {
    if (problems.length >= 20 || value === null || typeof value !== 'object') return;
    const array = /^Array<(.+)>$/.exec(type);
    if (array) {
      if (Array.isArray(value)) value.forEach((item, i) => walk(item, array[1]!, [...path, i]));
      return;
    }
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map) {
      for (const [key, item] of Object.entries(value)) walk(item, map[1]!, [...path, key]);
      return;
    }
    const model = k8s[type] as TypedModel | undefined;
    if (typeof model?.getAttributeTypeMap !== 'function' || Array.isArray(value)) return;
    const fields = model.getAttributeTypeMap();
    const byName = new Map(fields.map((f) => [f.baseName, f]));
    for (const [key, item] of Object.entries(value)) {
      const field = byName.get(key);
      if (!field) {
        const close =
          fields.find((f) => f.baseName.toLowerCase() === key.toLowerCase()) ?? fields.find((f) => editDistance(f.baseName, key) <= 2);
        problems.push({
          path: [...path, key],
          message: `is not a field Kubernetes knows (kubectl apply refuses it: unknown field)${close ? `; did you mean \`${close.baseName}\`?` : ''}`,
        });
        continue;
      }
      walk(item, field.type, [...path, key]);
    }
  };
  walk(
    object,
    candidates.find((c) => k8s[c] === root)!,
    [],
  );
  return problems;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** `['spec', 'containers', 0, 'image']` -> `spec.containers[0].image`. */
export function formatPath(path: readonly (string | number)[]): string {
  return path
    .map((p, i) =>
      typeof p === 'number' ? `[${p}]` : /^[A-Za-z_][\w-]*$/.test(p) ? `${i === 0 ? '' : '.'}${p}` : `[${JSON.stringify(p)}]`,
    )
    .join('');
}

/** The deepest node of the document along `path` (a missing field points at its parent). */
function nearestNode(doc: Document.Parsed, path: (string | number)[]): Node | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      // For a map entry, point at the key's line rather than the value's.
      if (n > 0) {
        const parent = doc.getIn(path.slice(0, n - 1), true);
        if (isMap(parent)) {
          const pair = parent.items.find((p) => isNode(p.key) && (p.key as { value?: unknown }).value === path[n - 1]);
          if (isNode(pair?.key) && pair.key.range) return pair.key;
        }
      }
      return node;
    }
  }
  return undefined;
}

/** Depth of a YAML node tree, walked without recursion (a deep tree must not blow the stack). */
function nodeDepth(root: unknown): number {
  let max = 0;
  const stack: { node: unknown; depth: number }[] = [{ node: root, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    max = Math.max(max, depth);
    if (depth > MANIFEST_LIMITS.maxDepth) return depth;
    if (isMap(node)) for (const pair of node.items) stack.push({ node: pair.value, depth: depth + 1 });
    else if (isSeq(node)) for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
  }
  return max;
}

/** Deepest `[`/`{` nesting in the text, outside quotes: refused before the parser sees it. */
function maxFlowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\n' && quote === "'") quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
    } else if (c === '[' || c === '{') max = Math.max(max, ++depth);
    else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  return max;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
