/**
 * A Deployment's rollout history as `kubectl rollout history` reads it: the
 * ReplicaSets the Deployment owns, each with its revision
 * (`deployment.kubernetes.io/revision`), the revisions it held before
 * (`deployment.kubernetes.io/revision-history`, when `rollout undo` or a
 * re-apply brought an old template back) and its change cause. Pure
 * functions, shared by the checks and the hold-out tests.
 */

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';

interface ReplicaSetLike {
  metadata?: {
    name?: string;
    uid?: string;
    creationTimestamp?: Date | string;
    annotations?: Record<string, string>;
    ownerReferences?: { uid: string; controller?: boolean }[];
  };
  spec?: { replicas?: number; template?: { spec?: { containers?: { name: string; image?: string }[] } } };
  status?: { replicas?: number; readyReplicas?: number };
}

export interface Revision {
  name: string;
  revision: number;
  /** Revisions this ReplicaSet held before its current one (oldest first). */
  earlier: number[];
  created: number;
  images: string[];
  changeCause: string | undefined;
  replicas: number;
  readyReplicas: number;
}

export function toRevision(rs: ReplicaSetLike): Revision | undefined {
  const annotations = rs.metadata?.annotations ?? {};
  const revision = Number(annotations[REVISION]);
  if (!Number.isInteger(revision) || revision <= 0) return undefined;
  const created = rs.metadata?.creationTimestamp;
  return {
    name: rs.metadata?.name ?? '',
    revision,
    earlier: (annotations[REVISION_HISTORY] ?? '')
      .split(',')
      .map((s) => Number(s.trim()))
      .filter((n) => Number.isInteger(n) && n > 0),
    created: created ? new Date(created).getTime() : 0,
    images: (rs.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? ''),
    changeCause: annotations[CHANGE_CAUSE],
    replicas: rs.spec?.replicas ?? 0,
    readyReplicas: rs.status?.readyReplicas ?? 0,
  };
}

/** The ReplicaSets a Deployment controls, as revisions, oldest revision first. */
export function historyOf(deploymentUid: string, replicaSets: readonly ReplicaSetLike[]): Revision[] {
  return replicaSets
    .filter((rs) => rs.metadata?.ownerReferences?.some((r) => r.uid === deploymentUid && r.controller))
    .map(toRevision)
    .filter((r): r is Revision => r !== undefined)
    .sort((a, b) => a.revision - b.revision);
}

export function describeRevision(r: Revision): string {
  const earlier = r.earlier.length ? ` (was revision ${r.earlier.join(', ')})` : '';
  return `revision ${r.revision}${earlier}: ${r.images.join(', ')}, ${r.readyReplicas}/${r.replicas} ready, change-cause ${r.changeCause ? `"${r.changeCause}"` : '<none>'}`;
}

/** What a reviewer concludes from the history about the bad rollout and the rollback. */
export interface RollbackReading {
  current: Revision | undefined;
  /** Revisions that ran another image than the known-good one, older than the current one. */
  bad: Revision[];
  /** The current revision restored a template that existed before the bad one (what `rollout undo` does). */
  restoredKnownGood: boolean;
}

export function readRollback(history: readonly Revision[], goodImage: string): RollbackReading {
  const current = history.at(-1);
  const bad = history.filter((r) => r !== current && r.images.some((i) => i !== goodImage));
  const lastBad = bad.at(-1);
  const restoredKnownGood =
    current !== undefined &&
    lastBad !== undefined &&
    current.revision > lastBad.revision &&
    current.images.every((i) => i === goodImage) &&
    // The ReplicaSet existed before the bad one: the old template came back, not a new one.
    (current.earlier.some((n) => n < lastBad.revision) ||
      (current.created > 0 && lastBad.created > 0 && current.created < lastBad.created));
  return { current, bad, restoredKnownGood };
}

/**
 * `maxUnavailable` / `maxSurge` resolved against the replica count, as the
 * Deployment controller does: a percentage rounds down for maxUnavailable
 * and up for maxSurge.
 */
export function resolveIntOrPercent(value: number | string | undefined, replicas: number, roundUp: boolean, fallback: string): number {
  const v = value ?? fallback;
  if (typeof v === 'number') return v;
  const match = /^(\d+)%$/.exec(v.trim());
  if (!match) return Number.NaN;
  const exact = (Number(match[1]) * replicas) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}
