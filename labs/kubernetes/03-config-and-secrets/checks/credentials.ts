/**
 * Finds credentials written in plaintext into Kubernetes manifests, the way a
 * reviewer reads a pull request: env values, ConfigMap data, container
 * arguments, labels and annotations, and Secret manifests (base64 is an
 * encoding, not encryption). Pure functions over parsed objects, so the
 * hold-out tests and the check share them.
 */

/** A path into an object, as kubectl's `--field-selector` or `explain` spells it: `spec.template.spec.containers[0].env[1].value`. */
export type FieldPath = (string | number)[];

export interface CredentialFinding {
  /** Where, e.g. `data.MODEL_API_KEY`. */
  path: FieldPath;
  /** Why a reviewer would stop here. */
  reason: string;
  /** The value with all but its first two characters masked. */
  masked: string;
}

interface ObjectLike {
  kind?: unknown;
  metadata?: { name?: unknown; labels?: unknown; annotations?: unknown };
  [key: string]: unknown;
}

/** Names that usually carry credentials (CIS Kubernetes 5.4.1 "prefer secrets as files over env", kube-score, checkov CKV_K8S_35). */
const CREDENTIAL_NAME =
  /(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API[_-]?KEY|ACCESS[_-]?KEY|PRIVATE[_-]?KEY|CREDENTIAL|CLIENT[_-]?SECRET)/i;
/** Names that mention a credential but hold where it is, not what it is. */
const REFERENCE_NAME = /(_FILE|_PATH|_DIR|_URL|_URI|_ENDPOINT|_HEADER|_NAME|_REF|_TTL|_EXPIRY|_LENGTH)$/i;

/** Values that are credentials whatever they are called. */
const CREDENTIAL_VALUES: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/, what: 'a private key' },
  { pattern: /\bAKIA[0-9A-Z]{16}\b/, what: 'an AWS access key id' },
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{30,}\b/, what: 'a GitHub token' },
  { pattern: /\bsk-[A-Za-z0-9_-]{16,}\b/, what: 'an API secret key (sk-…)' },
  { pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/, what: 'a Slack token' },
  { pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/, what: 'a JSON Web Token' },
  { pattern: /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, what: 'a URL with a password in it' },
];

/** `--password=x`, `--api-key x`, `-p x` style arguments. */
const CREDENTIAL_FLAG = /^--?([A-Za-z0-9_-]*(?:password|passwd|secret|token|api-?key|access-?key|credential)[A-Za-z0-9_-]*)(?:=(.*))?$/i;

export function mask(value: string): string {
  if (value.length <= 4) return '****';
  return `${value.slice(0, 2)}${'*'.repeat(6)}`;
}

/** Why a name/value pair looks like a plaintext credential, or undefined. */
export function credentialReason(name: string, value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  for (const { pattern, what } of CREDENTIAL_VALUES) {
    if (pattern.test(trimmed)) return `the value is ${what}`;
  }
  if (CREDENTIAL_NAME.test(name) && !REFERENCE_NAME.test(name) && !looksLikeReference(trimmed)) {
    return `"${name}" names a credential and has a literal value`;
  }
  return undefined;
}

/** `/var/run/secrets/key`, `$(API_KEY)`, `${API_KEY}`: where a value comes from, not the value. */
function looksLikeReference(value: string): boolean {
  return value.startsWith('/') || /^\$[({][A-Za-z_][A-Za-z0-9_]*[)}]$/.test(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scanStringMap(map: unknown, at: FieldPath, out: CredentialFinding[]): void {
  if (!isRecord(map)) return;
  for (const [key, value] of Object.entries(map)) {
    if (typeof value !== 'string') continue;
    const reason = credentialReason(key, value);
    if (reason) out.push({ path: [...at, key], reason, masked: mask(value) });
  }
}

/** The pod spec inside a workload object, and its path. */
export function podSpecOf(object: ObjectLike): { spec: Record<string, unknown>; path: FieldPath } | undefined {
  const spec = object.spec;
  if (!isRecord(spec)) return undefined;
  switch (object.kind) {
    case 'Pod':
      return { spec, path: ['spec'] };
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job': {
      const template = spec.template;
      return isRecord(template) && isRecord(template.spec) ? { spec: template.spec, path: ['spec', 'template', 'spec'] } : undefined;
    }
    case 'CronJob': {
      const jobSpec = isRecord(spec.jobTemplate) && isRecord(spec.jobTemplate.spec) ? spec.jobTemplate.spec : undefined;
      const template = jobSpec && isRecord(jobSpec.template) ? jobSpec.template : undefined;
      return template && isRecord(template.spec)
        ? { spec: template.spec, path: ['spec', 'jobTemplate', 'spec', 'template', 'spec'] }
        : undefined;
    }
    default:
      return undefined;
  }
}

function scanContainers(podSpec: Record<string, unknown>, at: FieldPath, out: CredentialFinding[]): void {
  for (const group of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    const containers = podSpec[group];
    if (!Array.isArray(containers)) continue;
    containers.forEach((container: unknown, i) => {
      if (!isRecord(container)) return;
      const base: FieldPath = [...at, group, i];
      if (Array.isArray(container.env)) {
        container.env.forEach((entry: unknown, j) => {
          if (!isRecord(entry) || typeof entry.name !== 'string' || typeof entry.value !== 'string') return;
          const reason = credentialReason(entry.name, entry.value);
          if (reason) out.push({ path: [...base, 'env', j, 'value'], reason, masked: mask(entry.value) });
        });
      }
      for (const field of ['command', 'args'] as const) {
        const list = container[field];
        if (!Array.isArray(list)) continue;
        list.forEach((arg: unknown, j) => {
          if (typeof arg !== 'string') return;
          const flag = CREDENTIAL_FLAG.exec(arg);
          const next = list[j + 1];
          if (flag?.[2] !== undefined && flag[2] !== '' && !looksLikeReference(flag[2])) {
            out.push({ path: [...base, field, j], reason: `the argument ${flag[1]} carries a literal value`, masked: mask(flag[2]) });
          } else if (flag && flag[2] === undefined && typeof next === 'string' && !next.startsWith('-') && !looksLikeReference(next)) {
            out.push({
              path: [...base, field, j + 1],
              reason: `the argument after --${flag[1]} is a literal credential`,
              masked: mask(next),
            });
          } else {
            for (const { pattern, what } of CREDENTIAL_VALUES) {
              if (pattern.test(arg)) {
                out.push({ path: [...base, field, j], reason: `the argument is ${what}`, masked: mask(arg) });
                break;
              }
            }
          }
        });
      }
    });
  }
}

/** Every plaintext credential in one object, with the field path of each. */
export function findPlaintextCredentials(object: ObjectLike): CredentialFinding[] {
  const out: CredentialFinding[] = [];
  scanStringMap(object.metadata?.annotations, ['metadata', 'annotations'], out);
  scanStringMap(object.metadata?.labels, ['metadata', 'labels'], out);
  if (object.kind === 'Secret') {
    for (const field of ['data', 'stringData'] as const) {
      const map = object[field];
      if (!isRecord(map)) continue;
      for (const [key, value] of Object.entries(map)) {
        out.push({
          path: [field, key],
          reason:
            field === 'data'
              ? 'a Secret manifest in the workspace: base64 is an encoding, anyone with the file decodes it'
              : 'a Secret manifest in the workspace holds the value in plain text',
          masked: typeof value === 'string' ? mask(value) : '****',
        });
      }
    }
  }
  if (object.kind === 'ConfigMap') {
    scanStringMap(object.data, ['data'], out);
    if (isRecord(object.binaryData)) {
      for (const key of Object.keys(object.binaryData)) {
        if (CREDENTIAL_NAME.test(key) && !REFERENCE_NAME.test(key))
          out.push({ path: ['binaryData', key], reason: `"${key}" names a credential`, masked: '****' });
      }
    }
  }
  const pod = podSpecOf(object);
  if (pod) {
    const template = object.kind === 'Pod' ? undefined : templateMetadata(object, pod.path);
    if (template) {
      scanStringMap(template.value.annotations, [...template.path, 'annotations'], out);
      scanStringMap(template.value.labels, [...template.path, 'labels'], out);
    }
    scanContainers(pod.spec, pod.path, out);
  }
  return out;
}

function templateMetadata(
  object: ObjectLike,
  podSpecPath: FieldPath,
): { value: { annotations?: unknown; labels?: unknown }; path: FieldPath } | undefined {
  const templatePath = podSpecPath.slice(0, -1);
  let node: unknown = object;
  for (const key of templatePath) node = isRecord(node) ? node[key as string] : undefined;
  if (!isRecord(node) || !isRecord(node.metadata)) return undefined;
  return { value: node.metadata, path: [...templatePath, 'metadata'] };
}
