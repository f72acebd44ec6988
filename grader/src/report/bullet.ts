import type { CapstoneReport, Figure, ReportFigures } from './schema.ts';

export interface BulletInput {
  figures: ReportFigures;
  /** Numbers of the milestones reached in the attempt. */
  reached: ReadonlySet<number>;
}

export interface Bullet {
  text: string | null;
  basis: CapstoneReport['resumeBulletBasis'];
}

/**
 * The resume bullet: one sentence, built only from figures a passing check
 * measured (verified or re-verified, never declared or from a failing check)
 * and only for milestones reached in the attempt. A figure that is missing
 * is left out of the sentence; nothing is estimated or rounded up.
 * Credit is the caller's business: call this only for the learner's own work.
 */
export function resumeBullet({ figures, reached }: BulletInput): Bullet {
  const used: string[] = [];
  const milestones = [...reached].sort((a, b) => a - b);
  if (milestones.length === 0) {
    return {
      text: null,
      basis: {
        reason:
          'No milestone was reached in this attempt (a milestone is reached when every one of its checks passes), so there is nothing verified to claim yet.',
        milestones: [],
        figures: [],
      },
    };
  }
  // A figure the bullet may quote: measured by a passing check of a milestone reached here.
  const quotable = <T extends Figure['value']>(
    fig: (Figure & { value: T }) | null,
    guard: (v: Figure['value']) => v is T,
  ): T | undefined => {
    if (!fig || fig.basis !== 'measured' || fig.checkStatus !== 'pass') return undefined;
    if (fig.provenance !== 'verified' && fig.provenance !== 're-verified') return undefined;
    const n = fig.milestone ? Number(fig.milestone.replace('capstone/M', '')) : undefined;
    if (n === undefined || !reached.has(n) || !guard(fig.value)) return undefined;
    return fig.value;
  };
  // `take` records the figure as quoted; call it only for a figure the sentence will say.
  const take = <T extends Figure['value']>(fig: (Figure & { value: T }) | null, guard: (v: Figure['value']) => v is T): T | undefined => {
    const v = quotable(fig, guard);
    if (v !== undefined && fig) used.push(fig.key);
    return v;
  };
  const isNum = (v: Figure['value']): v is number => typeof v === 'number' && Number.isFinite(v);
  const isStr = (v: Figure['value']): v is string => typeof v === 'string' && v.trim() !== '';
  const f = figures;
  const clauses: string[] = [];

  let subject = 'an ML model service';
  if (reached.has(1)) {
    const name = take(f.dataset.name, isStr);
    const rows = take(f.dataset.rows, isNum);
    const kind = name && /\badult\b/i.test(name) ? 'an income classifier' : 'a classifier';
    subject = name
      ? `${kind} on ${name.trim()}${rows !== undefined ? ` (${integer(rows)} rows)` : ''}`
      : rows !== undefined
        ? `${kind} on ${integer(rows)} rows`
        : kind;
    const precision = take(f.precision, isNum);
    const recall = take(f.recall, isNum);
    const metrics = [
      precision !== undefined && `precision ${fraction(precision)}`,
      recall !== undefined && `recall ${fraction(recall)}`,
    ].filter(Boolean);
    if (metrics.length === 0) {
      const auc = take(f.rocAuc, isNum);
      if (auc !== undefined) metrics.push(`ROC AUC ${fraction(auc)}`);
    }
    clauses.push(metrics.length > 0 ? metrics.join(' / ') : 'trained reproducibly from a tested package');
  }
  if (reached.has(2)) clauses.push('every training run tracked in MLflow');
  if (reached.has(3)) {
    const size = take(f.image.sizeMb, isNum);
    clauses.push(`packaged as a ${size !== undefined ? `${Math.round(size)} MB ` : ''}non-root container for Kubernetes`);
  }
  if (reached.has(4)) clauses.push('retrained by CI/CD behind a gate against the champion');
  if (reached.has(5)) {
    const p99 = take(f.p99, isNum);
    // The rate only qualifies a latency: without p99 it is not said.
    const rps = p99 !== undefined ? take(f.load.rps, isNum) : undefined;
    let served = 'served behind basic auth';
    if (p99 !== undefined) served += ` at p99 ${amount(p99)} ms${rps !== undefined ? ` under ${amount(rps)} req/s` : ''}`;
    clauses.push(served);
  }
  if (reached.has(6)) {
    const seconds = take(f.drift.secondsToAlert, isNum);
    const clean = quotable(f.drift.cleanAlerts, isNum) === 0 ? take(f.drift.cleanAlerts, isNum) : undefined;
    clauses.push(
      `a drift alert reaching Alertmanager ${seconds !== undefined ? `${amount(seconds)} s after an input shift` : 'after an input shift'}${clean === 0 ? ' (none on clean traffic)' : ''}`,
    );
  }
  if (reached.has(7)) {
    const seconds = take(f.rollback.seconds, isNum);
    clauses.push(`rollback by registry alias${seconds !== undefined ? ` in ${amount(seconds)} s` : ''}`);
  }
  const verb = [5, 6, 7].some((n) => reached.has(n)) ? 'Built and operated' : 'Built';
  return {
    text: `${verb} ${subject}: ${clauses.join(', ')}.`,
    basis: {
      reason: `Built from the ${used.length} verified figure${used.length === 1 ? '' : 's'} of the milestone${milestones.length === 1 ? '' : 's'} reached in this attempt (${milestones.map((n) => `M${n}`).join(', ')}); figures that were not measured by a passing check are left out.`,
      milestones: milestones.map((n) => `capstone/M${n}`),
      figures: used,
    },
  };
}

/** 45222 -> "45,222". */
function integer(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/** A fraction with two decimals: 0.7142 -> "0.71". */
function fraction(x: number): string {
  return x.toFixed(2);
}

/** Milliseconds, seconds, rates: one decimal under 10, whole numbers above ("3.2", "11", "50"). */
export function amount(x: number): string {
  if (Math.abs(x) >= 10) return integer(x);
  return String(Math.round(x * 10) / 10);
}
