/**
 * M3's judgements of the manifests in k8s/, pure: each takes the parsed
 * manifest set (grader/src/evidence/kube/manifests.ts: objects with the line
 * of every field) and gives a CheckOutcome that names `file:line field`.
 * m3.ts reads k8s/ and wraps these in checks; the tests hold fixture
 * manifests against them, and apply the reference's to the fixture server.
 */
import type { V1Container, V1Deployment, V1EnvVar, V1Probe, V1Service } from '@kubernetes/client-node';
import { fail, formatPath, maskSecret, pass, type CheckOutcome, type ManifestObject, type ManifestSet } from '@mlops-lab/grader/authoring';
import { quantity } from '../../../kubernetes/_shared/quantity.ts';

/** The Deployment name the grader's rollback targets (KUBE_DEPLOYMENT). */
export const DEPLOYMENT_NAME = 'adult-income';
export const PASSWORD_VAR = 'SERVING_PASSWORD';
/** Prometheus Operator's API group: its kinds are not in the Kubernetes schemas the grader validates with. */
const OPERATOR_GROUP = 'monitoring.coreos.com/';

/** `k8s/deployment.yaml:14 spec.template.spec.containers[0].env[1].value`. */
export function where(object: ManifestObject, path: readonly (string | number)[]): string {
  return `${object.file}:${object.lineOf(path)} ${formatPath(path)}`;
}

/** Problems of the set, without the "unknown kind" of Prometheus Operator objects (ServiceMonitor, PodMonitor), which are CRDs. */
export function manifestProblems(set: ManifestSet): ManifestSet['problems'] {
  const operator = set.objects.filter((o) => o.apiVersion.startsWith(OPERATOR_GROUP));
  // The schema reader refuses a kind it has no model for, naming "<apiVersion> <kind>".
  return set.problems.filter(
    (p) => !(p.path === 'kind' && operator.some((o) => o.file === p.file && p.message.includes(`"${o.apiVersion} ${o.kind}"`))),
  );
}

/** The serving Deployment: `adult-income`, else the one whose containers read SERVING_PASSWORD, else the only one. */
export function servingDeployment(set: ManifestSet): { manifest: ManifestObject; deployment: V1Deployment } | undefined {
  const all = set.objects.filter((o) => o.kind === 'Deployment');
  const reads = (o: ManifestObject): boolean =>
    containersOf(o.object as unknown as V1Deployment).some((c) => (c.env ?? []).some((e) => e.name === PASSWORD_VAR));
  const manifest = all.find((o) => o.name === DEPLOYMENT_NAME) ?? all.find(reads) ?? (all.length === 1 ? all[0] : undefined);
  return manifest ? { manifest, deployment: manifest.object as unknown as V1Deployment } : undefined;
}

function containersOf(deployment: V1Deployment): V1Container[] {
  return deployment.spec?.template?.spec?.containers ?? [];
}

/** The container that serves: the one reading SERVING_PASSWORD, else the first. */
function servingContainer(deployment: V1Deployment): { container: V1Container; index: number } | undefined {
  const containers = containersOf(deployment);
  const index = Math.max(
    0,
    containers.findIndex((c) => (c.env ?? []).some((e) => e.name === PASSWORD_VAR)),
  );
  return containers[index] ? { container: containers[index], index } : undefined;
}

const CONTAINER = (index: number): (string | number)[] => ['spec', 'template', 'spec', 'containers', index];

/** `m3-manifests-are-valid`: every file parses, every object matches its schema, and a Deployment and a Service are there. */
export function judgeManifestsValid(set: ManifestSet): CheckOutcome {
  if (set.objects.length === 0 && set.problems.length === 0) {
    return fail({
      message: 'There are no manifests in k8s/: the grader reads every *.yaml file in that folder.',
      expected: 'k8s/deployment.yaml, k8s/service.yaml and the Secret the credentials come from',
      actual: set.files.length === 0 ? 'no YAML files under k8s/' : `${set.files.join(', ')} hold no objects`,
      hint: 'Write k8s/deployment.yaml and k8s/service.yaml; check them with `kubectl apply --dry-run=client -f k8s/`.',
    });
  }
  const problems = manifestProblems(set);
  if (problems.length > 0) {
    const lines = problems.slice(0, 8).map((p) => `${p.file}:${p.line} ${p.path ? `${p.path} ` : ''}${p.message}`);
    if (problems.length > 8) lines.push(`… and ${problems.length - 8} more`);
    const first = problems[0]!;
    return fail({
      message: `${problems.length} problem${problems.length === 1 ? '' : 's'} in k8s/: \`kubectl apply\` would refuse ${problems.length === 1 ? 'it' : 'them'}.`,
      expected: 'valid YAML, and objects whose fields match the Kubernetes schemas',
      actual: lines.join('\n'),
      hint: `Fix ${first.file} line ${first.line} first, then check with \`kubectl apply --dry-run=client -f k8s/\`.`,
    });
  }
  const kinds = new Set(set.objects.map((o) => o.kind));
  const missing = ['Deployment', 'Service'].filter((k) => !kinds.has(k));
  const listed = set.objects.map((o) => `${o.kind}/${o.name} (${o.file})`).join('\n');
  if (missing.length > 0) {
    return fail({
      message: `k8s/ has no ${missing.join(' and no ')}: the service needs a Deployment to run it and a Service to reach it.`,
      expected: 'a Deployment and a Service (and the Secret of the credentials, or the command that creates it)',
      actual: listed,
      hint: `Add ${missing.map((m) => `k8s/${m.toLowerCase()}.yaml`).join(' and ')}; \`kubectl create ${missing[0] === 'Service' ? 'service clusterip adult-income --tcp=80:8080' : 'deployment adult-income --image=adult-income:1.0.0'} --dry-run=client -o yaml\` prints a start.`,
    });
  }
  return pass(`${set.objects.length} valid objects in k8s/: ${set.objects.map((o) => `${o.kind}/${o.name}`).join(', ')}.`);
}

function noDeployment(set: ManifestSet): CheckOutcome {
  return fail({
    message: `k8s/ has no Deployment the grader can tell is the service (it looks for \`${DEPLOYMENT_NAME}\`, or the one whose container reads ${PASSWORD_VAR}).`,
    expected: `a Deployment named ${DEPLOYMENT_NAME}`,
    actual: set.objects.map((o) => `${o.kind}/${o.name} (${o.file})`).join('\n') || 'no objects',
    hint: `Name the serving Deployment \`${DEPLOYMENT_NAME}\` (the rollback runs \`kubectl rollout undo deployment/${DEPLOYMENT_NAME}\`).`,
  });
}

/** The port a probe or Service names, checked against the container's ports (a number, or a port's name). */
function portKnown(container: V1Container, port: number | string | undefined): boolean {
  if (port === undefined) return false;
  const ports = container.ports ?? [];
  if (typeof port === 'number' || /^\d+$/.test(String(port))) {
    // A container that declares no ports may still listen; only a declared list can contradict the number.
    return ports.length === 0 || ports.some((p) => p.containerPort === Number(port));
  }
  return ports.some((p) => p.name === port);
}

/** `m3-deployment-has-probes`: liveness on /health and readiness on /ready, on a port the container declares. */
export function judgeProbes(set: ManifestSet): CheckOutcome {
  const found = servingDeployment(set);
  if (!found) return noDeployment(set);
  const serving = servingContainer(found.deployment);
  if (!serving) return noDeployment(set);
  const { container, index } = serving;
  const base = CONTAINER(index);
  const issues: string[] = [];
  const judge = (kind: 'livenessProbe' | 'readinessProbe', path: string): void => {
    const probe: V1Probe | undefined = container[kind];
    if (!probe) {
      issues.push(`${where(found.manifest, [...base, kind])}: no ${kind} (expected httpGet ${path})`);
      return;
    }
    if (!probe.httpGet) {
      issues.push(`${where(found.manifest, [...base, kind])}: not an httpGet probe (expected httpGet ${path})`);
      return;
    }
    const actualPath = (probe.httpGet.path ?? '/').split('?')[0];
    if (actualPath !== path) issues.push(`${where(found.manifest, [...base, kind, 'httpGet', 'path'])}: ${actualPath}, expected ${path}`);
    if (!portKnown(container, probe.httpGet.port as number | string)) {
      issues.push(
        `${where(found.manifest, [...base, kind, 'httpGet', 'port'])}: ${String(probe.httpGet.port)} is not a port of container ${container.name}`,
      );
    }
  };
  judge('livenessProbe', '/health');
  judge('readinessProbe', '/ready');
  if (issues.length === 0) {
    return pass(`deployment/${found.manifest.name}: liveness probes /health, readiness probes /ready.`);
  }
  return fail({
    message: `deployment/${found.manifest.name} does not probe the service as the contract says: Kubernetes restarts a container whose /health fails and sends traffic only once /ready answers.`,
    expected: 'livenessProbe httpGet /health and readinessProbe httpGet /ready, on the container port',
    actual: issues.join('\n'),
    hint: `Under containers[${index}] add \`livenessProbe: { httpGet: { path: /health, port: http } }\` and \`readinessProbe: { httpGet: { path: /ready, port: http } }\` (with \`ports: [{ name: http, containerPort: 8080 }]\`).`,
  });
}

/** `m3-deployment-sets-resources`: CPU and memory requests, a memory limit, requests at most the limits. */
export function judgeResources(set: ManifestSet): CheckOutcome {
  const found = servingDeployment(set);
  if (!found) return noDeployment(set);
  const issues: string[] = [];
  const summary: string[] = [];
  containersOf(found.deployment).forEach((container, index) => {
    const at = [...CONTAINER(index), 'resources'];
    const requests = (container.resources?.requests ?? {}) as Record<string, string | number>;
    const limits = (container.resources?.limits ?? {}) as Record<string, string | number>;
    for (const key of ['cpu', 'memory']) {
      if (requests[key] === undefined) issues.push(`${where(found.manifest, [...at, 'requests', key])}: no ${key} request`);
    }
    if (limits.memory === undefined) issues.push(`${where(found.manifest, [...at, 'limits', 'memory'])}: no memory limit`);
    for (const key of ['cpu', 'memory']) {
      const request = quantity(requests[key]);
      const limit = quantity(limits[key]);
      if (request !== undefined && limit !== undefined && request > limit) {
        issues.push(`${where(found.manifest, [...at, 'requests', key])}: request ${requests[key]} is above the limit ${limits[key]}`);
      }
    }
    summary.push(
      `${container.name}: requests ${String(requests.cpu ?? '-')} CPU / ${String(requests.memory ?? '-')}, limits ${String(limits.cpu ?? '-')} CPU / ${String(limits.memory ?? '-')}`,
    );
  });
  if (issues.length === 0) return pass(`deployment/${found.manifest.name}: ${summary.join('; ')}.`);
  return fail({
    message: `deployment/${found.manifest.name} does not size its containers: without requests the scheduler cannot place them sensibly, and without a memory limit one leak can starve the node.`,
    expected:
      'resources.requests.cpu, resources.requests.memory and resources.limits.memory on every container (requests at most the limits)',
    actual: issues.join('\n'),
    hint: 'Add `resources: { requests: { cpu: 250m, memory: 256Mi }, limits: { memory: 512Mi } }` to each container, sized from `docker stats` while the load test runs.',
  });
}

/** `m3-deployment-runs-as-non-root`: runAsNonRoot for every container (pod or container level), and no runAsUser 0. */
export function judgeNonRoot(set: ManifestSet): CheckOutcome {
  const found = servingDeployment(set);
  if (!found) return noDeployment(set);
  const pod = found.deployment.spec?.template?.spec;
  const podContext = pod?.securityContext;
  const issues: string[] = [];
  containersOf(found.deployment).forEach((container, index) => {
    const own = container.securityContext;
    const nonRoot = own?.runAsNonRoot ?? podContext?.runAsNonRoot;
    const user = own?.runAsUser ?? podContext?.runAsUser;
    if (nonRoot !== true) {
      const path =
        own?.runAsNonRoot === false
          ? [...CONTAINER(index), 'securityContext', 'runAsNonRoot']
          : ['spec', 'template', 'spec', 'securityContext', 'runAsNonRoot'];
      issues.push(
        `${where(found.manifest, path)}: container ${container.name} may run as root (runAsNonRoot is ${String(nonRoot ?? 'not set')})`,
      );
    }
    if (user === 0) {
      const path =
        own?.runAsUser === 0
          ? [...CONTAINER(index), 'securityContext', 'runAsUser']
          : ['spec', 'template', 'spec', 'securityContext', 'runAsUser'];
      issues.push(`${where(found.manifest, path)}: runAsUser 0 is root`);
    }
  });
  if (issues.length === 0) return pass(`deployment/${found.manifest.name}: every container must run as a non-root user (runAsNonRoot).`);
  return fail({
    message: `deployment/${found.manifest.name} lets a container run as root: the kubelet only refuses a root image when runAsNonRoot says so.`,
    expected: 'securityContext.runAsNonRoot: true for the pod (or every container), and no runAsUser: 0',
    actual: issues.join('\n'),
    hint: 'Add `securityContext: { runAsNonRoot: true, runAsUser: 10001 }` under spec.template.spec (the uid your Dockerfile\u2019s USER names).',
  });
}

/** Values a Secret template may hold instead of the real password. */
const PLACEHOLDER = /^$|change|replace|example|placeholder|todo|fixme|your|secret-here|<.*>|\$\{.*\}|^x+$|^\*+$/i;

/** A Secret key's value (stringData as written, data base64-decoded). */
function secretValue(object: ManifestObject, key: string): { value: string; path: (string | number)[] } | undefined {
  const stringData = (object.object as { stringData?: Record<string, unknown> }).stringData ?? {};
  if (typeof stringData[key] === 'string') return { value: stringData[key], path: ['stringData', key] };
  const data = (object.object as { data?: Record<string, unknown> }).data ?? {};
  if (typeof data[key] === 'string') return { value: Buffer.from(data[key], 'base64').toString('utf8'), path: ['data', key] };
  return undefined;
}

/**
 * `m3-password-comes-from-a-secret`: SERVING_PASSWORD reaches the container
 * from a Secret (secretKeyRef, or envFrom a Secret), no manifest holds the
 * real password, and the Secret is either a template in k8s/ or created by a
 * documented `kubectl create secret`. `docs` is the text of the project's
 * README and notes, where that command would be written down.
 */
export function judgePasswordFromSecret(set: ManifestSet, docs: string): CheckOutcome {
  const found = servingDeployment(set);
  if (!found) return noDeployment(set);
  const leaks: string[] = [];
  // A literal password anywhere in k8s/: an env value, a ConfigMap, a Secret with a real value.
  for (const object of set.objects) {
    if (object.kind === 'Deployment' || object.kind === 'StatefulSet' || object.kind === 'Pod') {
      const podSpec = object.kind === 'Pod' ? 'spec' : 'spec.template.spec';
      const base = podSpec.split('.');
      const spec = base.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], object.object) as
        { containers?: V1Container[]; initContainers?: V1Container[] } | undefined;
      for (const group of ['containers', 'initContainers'] as const) {
        (spec?.[group] ?? []).forEach((container, ci) => {
          (container.env ?? []).forEach((env: V1EnvVar, ei) => {
            if (/PASSWORD|PASSWD/i.test(env.name) && typeof env.value === 'string' && env.value !== '') {
              leaks.push(`${where(object, [...base, group, ci, 'env', ei, 'value'])}: ${env.name} = ${maskSecret(env.value)}`);
            }
          });
        });
      }
    }
    if (object.kind === 'ConfigMap') {
      for (const [key, value] of Object.entries((object.object as { data?: Record<string, unknown> }).data ?? {})) {
        if (/PASSWORD|PASSWD/i.test(key) && typeof value === 'string' && value !== '') {
          leaks.push(`${where(object, ['data', key])}: a ConfigMap holds ${key} = ${maskSecret(value)}`);
        }
      }
    }
  }
  const serving = servingContainer(found.deployment);
  const container = serving?.container;
  const envIndex = (container?.env ?? []).findIndex((e) => e.name === PASSWORD_VAR);
  const env = envIndex >= 0 ? container!.env![envIndex] : undefined;
  const ref = env?.valueFrom?.secretKeyRef;
  const fromEnvFrom = (container?.envFrom ?? []).find((e) => e.secretRef?.name);
  const secretName = ref?.name ?? (env ? undefined : fromEnvFrom?.secretRef?.name);
  const secretKey = ref?.key ?? PASSWORD_VAR;
  const secret = secretName ? set.objects.find((o) => o.kind === 'Secret' && o.name === secretName) : undefined;
  if (secret) {
    const value = secretValue(secret, secretKey);
    if (value && !PLACEHOLDER.test(value.value.trim())) {
      leaks.push(
        `${where(secret, value.path)}: the Secret template holds a real-looking password (${maskSecret(value.value)}); anyone with the repository reads it`,
      );
    }
  }
  if (leaks.length > 0) {
    const first = leaks[0]!.split(':').slice(0, 2).join(':');
    return fail({
      message: `A password is written into k8s/ (${first}): it lands in Git and in every copy of the repository.`,
      expected: `${PASSWORD_VAR} from a Secret (\`valueFrom.secretKeyRef\`), the Secret created outside Git or committed as a template without the value`,
      actual: leaks.join('\n'),
      hint: `Remove the value, create the Secret from the command line (\`kubectl create secret generic adult-income-auth --from-literal=${PASSWORD_VAR}="$(openssl rand -hex 16)"\`) and read it with \`valueFrom: { secretKeyRef: { name: adult-income-auth, key: ${PASSWORD_VAR} } }\`; rotate the password that was committed.`,
    });
  }
  if (!env && !fromEnvFrom) {
    return fail({
      message: `deployment/${found.manifest.name} does not give the container ${PASSWORD_VAR}, and the service refuses every login without it.`,
      expected: `env ${PASSWORD_VAR} with valueFrom.secretKeyRef`,
      actual: `${where(found.manifest, [...CONTAINER(serving?.index ?? 0), 'env'])}: no ${PASSWORD_VAR}`,
      hint: `Add \`- name: ${PASSWORD_VAR}\\n  valueFrom: { secretKeyRef: { name: adult-income-auth, key: ${PASSWORD_VAR} } }\` to the container's env.`,
    });
  }
  if (env && !ref) {
    return fail({
      message: `${where(found.manifest, [...CONTAINER(serving!.index), 'env', envIndex])}: ${PASSWORD_VAR} does not come from a Secret.`,
      expected: `valueFrom.secretKeyRef for ${PASSWORD_VAR}`,
      actual: env.valueFrom ? `valueFrom.${Object.keys(env.valueFrom).join(', ')}` : 'no valueFrom',
      hint: `Use \`valueFrom: { secretKeyRef: { name: adult-income-auth, key: ${PASSWORD_VAR} } }\`.`,
    });
  }
  const documented =
    secretName !== undefined &&
    new RegExp(`kubectl\\b[^\\n]*?\\bcreate\\s+secret\\s+generic\\s+${escape(secretName)}(?![\\w-])`).test(docs);
  if (!secret && !documented) {
    return fail({
      message: `${PASSWORD_VAR} comes from the Secret \`${secretName}\`, but neither k8s/ nor the README says how that Secret is made, so the pods wait in CreateContainerConfigError.`,
      expected: `a Secret template k8s/secret.yaml (kind Secret, name ${secretName}, no real value) or \`kubectl create secret generic ${secretName} …\` in README.md`,
      actual: `no Secret ${secretName} in k8s/ and no \`kubectl create secret generic ${secretName}\` in the README`,
      hint: `Document it in README.md: \`kubectl create secret generic ${secretName} --from-literal=SERVING_USERNAME=… --from-literal=${PASSWORD_VAR}="$(openssl rand -hex 16)"\`.`,
    });
  }
  return pass(
    `${PASSWORD_VAR} comes from the Secret ${secretName}${ref ? ` (key ${secretKey})` : ' (envFrom)'}; ${secret ? `k8s/ keeps a template of it without the value (${secret.file})` : 'the README says how to create it'}.`,
  );
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `m3-service-selects-the-pods`: a Service whose selector matches the Deployment's pod labels, on a port the container serves. */
export function judgeService(set: ManifestSet): CheckOutcome {
  const found = servingDeployment(set);
  if (!found) return noDeployment(set);
  const podLabels = found.deployment.spec?.template?.metadata?.labels ?? {};
  const services = set.objects.filter((o) => o.kind === 'Service');
  const serving = servingContainer(found.deployment);
  const tried: string[] = [];
  for (const manifest of services) {
    const service = manifest.object as unknown as V1Service;
    const selector = service.spec?.selector ?? {};
    const entries = Object.entries(selector);
    if (entries.length === 0) {
      tried.push(`${where(manifest, ['spec', 'selector'])}: no selector, so it selects no pods`);
      continue;
    }
    const mismatch = entries.filter(([k, v]) => podLabels[k] !== v);
    if (mismatch.length > 0) {
      tried.push(
        `${where(manifest, ['spec', 'selector', mismatch[0]![0]])}: selects ${mismatch.map(([k, v]) => `${k}=${v}`).join(', ')}, the pods have ${
          Object.entries(podLabels)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ') || 'no labels'
        }`,
      );
      continue;
    }
    const ports = service.spec?.ports ?? [];
    const badPort = ports.findIndex((p) => serving && !portKnown(serving.container, (p.targetPort ?? p.port) as number | string));
    if (ports.length === 0 || badPort >= 0) {
      tried.push(
        ports.length === 0
          ? `${where(manifest, ['spec', 'ports'])}: no ports`
          : `${where(manifest, ['spec', 'ports', badPort, 'targetPort'])}: ${String(ports[badPort]!.targetPort ?? ports[badPort]!.port)} is not a port of the container`,
      );
      continue;
    }
    const shown = ports.map((p) => `${p.port}->${String(p.targetPort ?? p.port)}`).join(', ');
    return pass(
      `service/${manifest.name} selects the pods of deployment/${found.manifest.name} (${entries.map(([k, v]) => `${k}=${v}`).join(', ')}), ports ${shown}.`,
    );
  }
  return fail({
    message: `No Service in k8s/ reaches the pods of deployment/${found.manifest.name}: its selector must match the pod template's labels and its targetPort a container port.`,
    expected: `a Service with selector ⊆ {${Object.entries(podLabels)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')}} and targetPort the container's port`,
    actual: tried.join('\n') || 'no Service in k8s/',
    hint: 'Copy the pod template labels into the Service selector, and point targetPort at the container port (by name, e.g. `targetPort: http`); `kubectl get endpointslices -l kubernetes.io/service-name=<service>` then lists the pods.',
  });
}

/**
 * `m3-metrics-are-scraped`: Prometheus finds /metrics, through the
 * prometheus.io annotations (on the pod template or the Service) or a
 * ServiceMonitor / PodMonitor of the Prometheus Operator that selects them.
 */
export function judgeScrape(set: ManifestSet): CheckOutcome {
  const found = servingDeployment(set);
  if (!found) return noDeployment(set);
  const podMeta = found.deployment.spec?.template?.metadata ?? {};
  const podLabels = podMeta.labels ?? {};
  const services = set.objects.filter((o) => o.kind === 'Service');
  const issues: string[] = [];
  const annotated: { object: ManifestObject; base: (string | number)[]; annotations: Record<string, string> }[] = [
    { object: found.manifest, base: ['spec', 'template', 'metadata', 'annotations'], annotations: podMeta.annotations ?? {} },
    ...services.map((s) => ({
      object: s,
      base: ['metadata', 'annotations'],
      annotations: (s.object.metadata.annotations ?? {}) as Record<string, string>,
    })),
  ];
  for (const { object, base, annotations } of annotated) {
    const scrape = annotations['prometheus.io/scrape'];
    if (scrape === undefined) continue;
    if (String(scrape) !== 'true') {
      issues.push(`${where(object, [...base, 'prometheus.io/scrape'])}: "${String(scrape)}" (Prometheus scrapes only "true")`);
      continue;
    }
    const path = annotations['prometheus.io/path'];
    if (path !== undefined && path !== '/metrics') {
      issues.push(`${where(object, [...base, 'prometheus.io/path'])}: ${path}, but the service serves /metrics`);
      continue;
    }
    return pass(
      `${object.kind.toLowerCase()}/${object.name} carries prometheus.io/scrape: "true"${annotations['prometheus.io/port'] ? ` on port ${annotations['prometheus.io/port']}` : ''}, path ${path ?? '/metrics'}.`,
    );
  }
  for (const monitor of set.objects.filter(
    (o) => o.apiVersion.startsWith(OPERATOR_GROUP) && /^(ServiceMonitor|PodMonitor)$/.test(o.kind),
  )) {
    const spec = (monitor.object as { spec?: Record<string, unknown> }).spec ?? {};
    const selector = ((spec.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels ?? {}) as Record<string, string>;
    const targets =
      monitor.kind === 'PodMonitor' ? [podLabels] : services.map((s) => (s.object.metadata.labels ?? {}) as Record<string, string>);
    const endpointsKey = monitor.kind === 'PodMonitor' ? 'podMetricsEndpoints' : 'endpoints';
    const endpoints = (spec[endpointsKey] as { path?: string }[] | undefined) ?? [];
    const selects =
      Object.keys(selector).length > 0 && targets.some((labels) => Object.entries(selector).every(([k, v]) => labels[k] === v));
    const badPath = endpoints.findIndex((e) => e.path !== undefined && e.path !== '/metrics');
    if (!selects)
      issues.push(`${where(monitor, ['spec', 'selector'])}: selects no ${monitor.kind === 'PodMonitor' ? 'pod' : 'Service'} of k8s/`);
    else if (endpoints.length === 0) issues.push(`${where(monitor, ['spec', endpointsKey])}: no endpoints`);
    else if (badPath >= 0)
      issues.push(`${where(monitor, ['spec', endpointsKey, badPath, 'path'])}: ${endpoints[badPath]!.path}, not /metrics`);
    else
      return pass(
        `${monitor.kind.toLowerCase()}/${monitor.name} selects the service's ${monitor.kind === 'PodMonitor' ? 'pods' : 'Service'} and scrapes /metrics.`,
      );
  }
  return fail({
    message: 'Nothing in k8s/ tells Prometheus to scrape the service, so its latency and drift metrics would never reach an alert.',
    expected:
      'prometheus.io/scrape: "true" (with prometheus.io/port and prometheus.io/path: /metrics) on the pod template or the Service, or a ServiceMonitor selecting the Service',
    actual: issues.join('\n') || 'no prometheus.io annotations and no ServiceMonitor or PodMonitor',
    hint: 'Add to spec.template.metadata.annotations: `prometheus.io/scrape: "true"`, `prometheus.io/port: "8080"`, `prometheus.io/path: /metrics`.',
  });
}
