import type * as K8s from '@kubernetes/client-node';
import { apiStatus, describeApiError, labNamespace, loadKubernetesClient, type CheckContext } from '@mlops-lab/grader/authoring';
import { read, readOptional } from '../../_shared/kube.ts';
import { appliesTo, type Identity, type PolicyRule, type Subject } from './review.ts';

/** The model API's ServiceAccount: the identity this lab locks down. */
export const SERVICE_ACCOUNT = 'loan-api';
/** The one ConfigMap the model API reads (and watches for threshold changes). */
export const CONFIG_MAP = 'loan-model-config';

type Ctx = Pick<CheckContext, 'kube' | 'workspace' | 'memo'>;

/** Who the API server sees when a pod runs as the ServiceAccount (the token's user and groups). */
export function serviceAccountIdentity(namespace: string, name = SERVICE_ACCOUNT): Identity {
  return {
    user: `system:serviceaccount:${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
}

/** One question for the API server's authorizer: "may <identity> <verb> <resource>?". */
export interface AccessQuestion {
  verb: string;
  /** API group: '' for the core group (configmaps, secrets, pods), `apps` for deployments. */
  group: string;
  resource: string;
  subresource?: string;
  name?: string;
}

/** `get configmaps/loan-model-config`, `create pods/exec`, `delete deployments.apps` as kubectl spells it. */
export function describeQuestion(q: AccessQuestion): string {
  const resource = q.group ? `${q.resource}.${q.group}` : q.resource;
  if (q.subresource) return `${q.verb} ${resource} --subresource=${q.subresource}${q.name ? ` (${q.name})` : ''}`;
  return `${q.verb} ${resource}${q.name ? `/${q.name}` : ''}`;
}

/** The exact command a learner runs to ask the same question. */
export function canICommand(namespace: string, q: AccessQuestion): string {
  return `kubectl auth can-i ${describeQuestion(q)} -n ${namespace} --as=system:serviceaccount:${namespace}:${SERVICE_ACCOUNT}`;
}

export interface AccessAnswer {
  question: AccessQuestion;
  allowed: boolean;
  /** The authorizer's reason, e.g. `RBAC: allowed by RoleBinding "x/ns" of ClusterRole "edit" to ServiceAccount "loan-api/ns"`. */
  reason: string;
}

/**
 * Asks the API server's authorizer (a SubjectAccessReview), once per
 * question per grading run. This is the cluster's own answer: a live k3s
 * evaluates its RBAC objects, not the grader.
 */
// Mirrors: kubectl auth can-i <verb> <resource> -n <namespace> --as=system:serviceaccount:<namespace>:loan-api
export function askAuthorizer(ctx: Ctx, q: AccessQuestion): Promise<AccessAnswer> {
  const namespace = labNamespace(ctx);
  return ctx.memo(`sar:${JSON.stringify(q)}`, async () => {
    const k8s = await loadKubernetesClient();
    const authz = await ctx.kube.api(k8s.AuthorizationV1Api);
    const identity = serviceAccountIdentity(namespace);
    const body: K8s.V1SubjectAccessReview = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: identity.user,
        groups: identity.groups,
        resourceAttributes: { namespace, verb: q.verb, group: q.group, resource: q.resource, subresource: q.subresource, name: q.name },
      },
    };
    const review = await read(ctx, `SubjectAccessReview: ${describeQuestion(q)}`, () => authz.createSubjectAccessReview({ body }));
    return { question: q, allowed: review.status?.allowed === true, reason: review.status?.reason ?? '' };
  });
}

/** A binding that gives the ServiceAccount (or one of its groups) a role, with that role's rules. */
export interface Grant {
  binding: { kind: 'RoleBinding' | 'ClusterRoleBinding'; name: string };
  role: { kind: string; name: string };
  /** The role's rules; undefined when the role does not exist. */
  rules: PolicyRule[] | undefined;
}

/** Every binding that applies to the ServiceAccount, with the rules it grants, once per grading run. */
// Mirrors: kubectl get rolebindings -n <namespace> -o wide && kubectl get clusterrolebindings -o wide
export function grantsToServiceAccount(ctx: Ctx): Promise<Grant[]> {
  const namespace = labNamespace(ctx);
  return ctx.memo('grants', async () => {
    const k8s = await loadKubernetesClient();
    const rbac = await ctx.kube.api(k8s.RbacAuthorizationV1Api);
    const identity = serviceAccountIdentity(namespace);
    const [roleBindings, clusterRoleBindings] = await Promise.all([
      read(ctx, `list rolebindings -n ${namespace}`, () => rbac.listNamespacedRoleBinding({ namespace })),
      read(ctx, 'list clusterrolebindings', () => rbac.listClusterRoleBinding()),
    ]);
    const applies = (subjects: K8s.RbacV1Subject[] | undefined, bindingNamespace: string) =>
      (subjects ?? []).some((s) => appliesTo(s as Subject, identity, bindingNamespace));
    const readRules = async (kind: string, name: string): Promise<PolicyRule[] | undefined> => {
      try {
        if (kind === 'Role')
          return ((await ctx.kube.call(`read role ${name}`, () => rbac.readNamespacedRole({ name, namespace }))).rules ??
            []) as PolicyRule[];
        if (kind === 'ClusterRole')
          return ((await ctx.kube.call(`read clusterrole ${name}`, () => rbac.readClusterRole({ name }))).rules ?? []) as PolicyRule[];
        return undefined;
      } catch (error) {
        if (apiStatus(error) === 404) return undefined;
        throw describeApiError(error, `read ${kind.toLowerCase()} ${name}`);
      }
    };
    const grants: Grant[] = [];
    for (const b of roleBindings.items) {
      if (!applies(b.subjects, namespace)) continue;
      grants.push({
        binding: { kind: 'RoleBinding', name: b.metadata?.name ?? '' },
        role: { kind: b.roleRef.kind, name: b.roleRef.name },
        rules: await readRules(b.roleRef.kind, b.roleRef.name),
      });
    }
    for (const b of clusterRoleBindings.items) {
      // The API server's own defaults (every authenticated user may discover APIs) are no one's decision in this lab.
      if (b.metadata?.labels?.['kubernetes.io/bootstrapping'] === 'rbac-defaults') continue;
      if (!applies(b.subjects, '')) continue;
      grants.push({
        binding: { kind: 'ClusterRoleBinding', name: b.metadata?.name ?? '' },
        role: { kind: b.roleRef.kind, name: b.roleRef.name },
        rules: await readRules(b.roleRef.kind, b.roleRef.name),
      });
    }
    return grants;
  });
}

/** `RoleBinding loan-api-edit -> ClusterRole edit` */
export function describeGrant(g: Grant): string {
  return `${g.binding.kind} ${g.binding.name} -> ${g.role.kind} ${g.role.name}${g.rules === undefined ? ' (missing)' : ''}`;
}

/** Reads one ServiceAccount, or undefined when it does not exist. */
// Mirrors: kubectl get serviceaccount <name> -n <namespace> -o yaml
export async function readServiceAccount(ctx: Ctx, name: string): Promise<K8s.V1ServiceAccount | undefined> {
  const namespace = labNamespace(ctx);
  const k8s = await loadKubernetesClient();
  const core = await ctx.kube.api(k8s.CoreV1Api);
  return await readOptional(ctx, `read serviceaccount ${name}`, () => core.readNamespacedServiceAccount({ name, namespace }));
}
