import { ClusterError } from './errors.ts';
import { learnerId, learnerNamespace, normalizeLearner } from './names.ts';

/** A Kubernetes object as plain JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Where the lab server and the grader run (the chart's namespace). */
export const SYSTEM_NAMESPACE = 'mlops-lab-system';
/** Where the shared lab services run: MLflow, MinIO, Prometheus, Alertmanager, Grafana, the registry. */
export const SERVICES_NAMESPACE = 'mlops-lab';
/** The shared, cluster-scoped role every learner's RoleBinding points at. */
export const LEARNER_CLUSTER_ROLE = 'mlops-lab-learner';
/** The learner's ServiceAccount, used by the workspace pod (kubectl inside it acts as the learner). */
export const WORKSPACE_SERVICE_ACCOUNT = 'workspace';
/** The workspace pod, its container and its PVC. */
export const WORKSPACE_NAME = 'workspace';
/** The workspace image `npm run cluster:up` builds and imports into k3s. */
export const DEFAULT_WORKSPACE_IMAGE = 'mlops-lab/workspace:0.1.0';

export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_LEARNER_ID = 'mlops-lab.org/learner-id';
export const ANNOTATION_LEARNER = 'mlops-lab.org/learner';
const MANAGED = { [LABEL_MANAGED_BY]: 'mlops-lab' };

export interface ProvisionOptions {
  /** The learner's name, as typed (any Unicode; see names.ts). */
  learner: string;
  /** The workspace image. Default {@link DEFAULT_WORKSPACE_IMAGE}. */
  image?: string;
  /** Size of the workspace volume. Default `5Gi`. */
  storage?: string;
  /**
   * Where the Kubernetes API server listens, for the workspace's egress
   * policy (kubectl in the workspace). Default `0.0.0.0/0`, and only on
   * port 6443 (k3s's API port) plus 443 to the `kubernetes` Service
   * (10.43.0.1 on k3s); `cluster:up` passes the node's address.
   */
  apiServerCidr?: string;
}

/** Refuses option values the API server would refuse later, with what to write instead. */
function checkOptions(image: string, storage: string, cidr: string): void {
  // A Docker reference: [registry/]path[:tag][@sha256:digest], no spaces.
  if (image.length > 512 || !/^[a-z0-9]+(?:[._:/-][a-zA-Z0-9]+)*(?:@sha256:[a-f0-9]{64})?$/.test(image)) {
    throw new ClusterError(
      'IMAGE_INVALID',
      'usage',
      `"${image.slice(0, 100)}" is not an image reference.`,
      'Write it like `--image registry.localhost/mlops-lab/workspace:0.1.0`.',
    );
  }
  const size = /^(\d{1,6})(Mi|Gi)$/.exec(storage);
  const mebibytes = size ? Number(size[1]) * (size[2] === 'Gi' ? 1024 : 1) : 0;
  if (mebibytes < 64 || mebibytes > 10 * 1024) {
    throw new ClusterError(
      'STORAGE_INVALID',
      'usage',
      `"${storage.slice(0, 40)}" is not a volume size this accepts.`,
      'Write a size from 64Mi to 10Gi, e.g. `--storage 5Gi` (the LimitRange allows at most 10Gi per volume).',
    );
  }
  if (!/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/.test(cidr)) {
    throw new ClusterError('CIDR_INVALID', 'usage', `"${cidr.slice(0, 40)}" is not an IPv4 CIDR.`, 'Write it like `10.0.0.5/32`.');
  }
}

/** Verbs a learner has on what they may change in their own namespace. */
const WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const READ = ['get', 'list', 'watch'];

/**
 * A limited `edit`: what the labs need inside one namespace, and nothing that
 * reaches outside it. Not in it, on purpose: roles and bindings (so no
 * `escalate` or `bind`), `impersonate`, namespaces beyond reading their own
 * (no patch: the Pod Security labels stay), PersistentVolumes, nodes and
 * `nodes/proxy`, NetworkPolicies, ResourceQuotas and LimitRanges beyond
 * reading (the isolation stays as provisioned), `serviceaccounts/token`.
 */
export function learnerClusterRole(): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: LEARNER_CLUSTER_ROLE, labels: { ...MANAGED } },
    rules: [
      {
        apiGroups: [''],
        resources: ['pods', 'services', 'configmaps', 'secrets', 'persistentvolumeclaims'],
        verbs: WRITE,
      },
      { apiGroups: [''], resources: ['pods/exec', 'pods/portforward', 'pods/attach'], verbs: ['create', 'get'] },
      { apiGroups: [''], resources: ['pods/log', 'events', 'endpoints', 'serviceaccounts', 'resourcequotas', 'limitranges'], verbs: READ },
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets'], verbs: WRITE },
      {
        apiGroups: ['apps'],
        resources: ['deployments/scale', 'replicasets/scale', 'statefulsets/scale'],
        verbs: ['get', 'update', 'patch'],
      },
      { apiGroups: ['apps'], resources: ['controllerrevisions'], verbs: READ },
      { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: WRITE },
      { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: WRITE },
      { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: WRITE },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: WRITE },
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: READ },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
    ],
  };
}

/** Every object one learner gets, in the order they are applied (the shared ClusterRole first). */
export function learnerObjects(options: ProvisionOptions): KubeObject[] {
  const learner = normalizeLearner(options.learner);
  const namespace = learnerNamespace(learner);
  const id = learnerId(learner);
  const labels = { ...MANAGED, [LABEL_LEARNER_ID]: id };
  const meta = (name: string) => ({ name, namespace, labels: { ...labels } });
  const image = options.image ?? DEFAULT_WORKSPACE_IMAGE;
  const storage = options.storage ?? '5Gi';
  const apiServerCidr = options.apiServerCidr ?? '0.0.0.0/0';
  checkOptions(image, storage, apiServerCidr);

  const networkPolicy = (name: string, spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(name),
    spec,
  });
  const inNamespace = (ns: string, podLabels?: Record<string, string>) => ({
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
    ...(podLabels ? { podSelector: { matchLabels: podLabels } } : {}),
  });

  return [
    learnerClusterRole(),
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: namespace,
        labels: {
          ...labels,
          // Pod Security Admission: pods that are not `restricted` are refused, not just warned about.
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
        annotations: { [ANNOTATION_LEARNER]: learner },
      },
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(WORKSPACE_SERVICE_ACCOUNT) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta('learner'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: LEARNER_CLUSTER_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: WORKSPACE_SERVICE_ACCOUNT, namespace }],
    },
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: meta('compute'),
      spec: {
        hard: {
          'requests.cpu': '2',
          'requests.memory': '4Gi',
          'limits.cpu': '4',
          'limits.memory': '8Gi',
          'requests.storage': '20Gi',
          persistentvolumeclaims: '5',
          'requests.ephemeral-storage': '10Gi',
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: meta('objects'),
      spec: {
        hard: {
          pods: '20',
          services: '10',
          // A NodePort or LoadBalancer would open the learner's pods to the world outside the cluster.
          'services.nodeports': '0',
          'services.loadbalancers': '0',
          configmaps: '30',
          secrets: '30',
          replicationcontrollers: '0',
          'count/deployments.apps': '10',
          'count/statefulsets.apps': '5',
          'count/jobs.batch': '20',
          'count/cronjobs.batch': '5',
          'count/ingresses.networking.k8s.io': '5',
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: meta('defaults'),
      spec: {
        limits: [
          {
            type: 'Container',
            // A container written without resources still fits the quota.
            default: { cpu: '500m', memory: '512Mi' },
            defaultRequest: { cpu: '100m', memory: '128Mi' },
            max: { cpu: '2', memory: '4Gi' },
          },
          { type: 'PersistentVolumeClaim', max: { storage: '10Gi' } },
        ],
      },
    },
    networkPolicy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    networkPolicy('allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [inNamespace('kube-system', { 'k8s-app': 'kube-dns' })],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    }),
    networkPolicy('allow-same-namespace', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    }),
    networkPolicy('allow-from-traefik', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [inNamespace('kube-system', { 'app.kubernetes.io/name': 'traefik' })] }],
    }),
    networkPolicy('allow-from-grader', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [inNamespace(SYSTEM_NAMESPACE, { 'app.kubernetes.io/name': 'mlops-lab' })] }],
    }),
    networkPolicy('allow-to-lab-services', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [inNamespace(SERVICES_NAMESPACE)] }],
    }),
    networkPolicy('allow-to-api-server', {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': WORKSPACE_NAME } },
      policyTypes: ['Egress'],
      egress: [
        { to: [{ ipBlock: { cidr: apiServerCidr } }], ports: [{ protocol: 'TCP', port: 6443 }] },
        { to: [{ ipBlock: { cidr: '10.43.0.1/32' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      ],
    }),
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta(WORKSPACE_NAME),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
    },
    workspacePod(namespace, labels, learner, image),
  ];
}

/**
 * The workspace: one pod named `workspace` (the lab server's terminal execs
 * into pod `workspace`, container `workspace`), its home on the PVC so work
 * survives the pod. A bare Pod rather than a Deployment because the name
 * must be fixed; provisioning replaces it when its spec drifts.
 */
function workspacePod(namespace: string, labels: Record<string, string>, learner: string, image: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: WORKSPACE_NAME, namespace, labels: { ...labels, 'app.kubernetes.io/name': WORKSPACE_NAME } },
    spec: {
      serviceAccountName: WORKSPACE_SERVICE_ACCOUNT,
      automountServiceAccountToken: true,
      enableServiceLinks: false,
      restartPolicy: 'Always',
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        fsGroup: 1000,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: WORKSPACE_NAME,
          image,
          imagePullPolicy: 'IfNotPresent',
          workingDir: '/home/learner',
          env: [
            { name: 'HOME', value: '/home/learner' },
            { name: 'MLOPS_LAB_LEARNER', value: learner },
            { name: 'MLOPS_LAB_NAMESPACE', value: namespace },
            { name: 'MLFLOW_TRACKING_URI', value: `http://mlflow.${SERVICES_NAMESPACE}.svc.cluster.local:5000` },
            { name: 'MLFLOW_S3_ENDPOINT_URL', value: `http://minio.${SERVICES_NAMESPACE}.svc.cluster.local:9000` },
          ],
          resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' } },
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
          volumeMounts: [
            { name: 'home', mountPath: '/home/learner' },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ],
      volumes: [
        { name: 'home', persistentVolumeClaim: { claimName: WORKSPACE_NAME } },
        { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
      ],
    },
  };
}
