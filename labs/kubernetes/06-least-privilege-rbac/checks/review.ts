/**
 * What a reviewer reads in RBAC objects, as pure functions over their JSON,
 * so the checks and the hold-out tests share them.
 */

/** The user and groups a request is made as. */
export interface Identity {
  user: string;
  groups: string[];
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

/**
 * Whether a binding's subject names the identity, as the RBAC authorizer
 * decides it: a ServiceAccount subject without a namespace means the
 * binding's own namespace.
 */
export function appliesTo(subject: Subject, identity: Identity, bindingNamespace: string): boolean {
  if (subject.kind === 'User') return subject.name === identity.user;
  if (subject.kind === 'Group') return identity.groups.includes(subject.name);
  if (subject.kind === 'ServiceAccount') {
    const namespace = subject.namespace || bindingNamespace;
    return namespace !== '' && identity.user === `system:serviceaccount:${namespace}:${subject.name}`;
  }
  return false;
}

/**
 * The built-in ClusterRoles every cluster ships: each grants far more than
 * one workload needs (`view` alone reads every ConfigMap in the namespace;
 * `edit` reads Secrets and creates pods).
 */
export const BUILT_IN_BROAD_ROLES: ReadonlySet<string> = new Set(['cluster-admin', 'admin', 'edit', 'view']);

/** `'*'` in a rule's verbs, resources or apiGroups, described for a learner. */
export function wildcardsIn(rule: PolicyRule): string[] {
  const found: string[] = [];
  if (rule.verbs.includes('*')) found.push('verbs: ["*"]');
  if ((rule.resources ?? []).some((r) => r === '*' || r.startsWith('*/')))
    found.push(`resources: [${(rule.resources ?? []).map((r) => `"${r}"`).join(', ')}]`);
  if ((rule.apiGroups ?? []).includes('*')) found.push('apiGroups: ["*"]');
  if ((rule.nonResourceURLs ?? []).some((u) => u.endsWith('*'))) found.push('nonResourceURLs with "*"');
  return found;
}

/** A rule as one line: `configmaps [loan-model-config]: get, watch`. */
export function describeRule(rule: PolicyRule): string {
  const groups = (rule.apiGroups ?? []).map((g) => (g === '' ? 'core' : g)).join(',');
  const names = rule.resourceNames?.length ? ` [${rule.resourceNames.join(', ')}]` : '';
  const what = rule.nonResourceURLs?.length
    ? rule.nonResourceURLs.join(', ')
    : `${(rule.resources ?? []).join(', ')}${names} (${groups || 'no group'})`;
  return `${what}: ${rule.verbs.join(', ')}`;
}
