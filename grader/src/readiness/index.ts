/**
 * The readiness model: pure functions from attempts, events and the
 * curriculum to a per-skill readiness picture, stage completion, the
 * capstone's portfolio checklist and maturity level, and a path-aware plan.
 * Only `loadReadinessContent` and `readReadiness` read files.
 */
import type { LoadedLab } from '../lab/load.ts';
import { storeFile } from '../paths.ts';
import { SettingsStore, settingsFile } from '../settings/settings.ts';
import type { StoreData } from '../store/schema.ts';
import { ProgressStore } from '../store/store.ts';
import { loadReadinessContent, type ReadinessContent } from './content.ts';
import { deriveReadiness, type Readiness } from './model.ts';
import { derivePlan, type Plan, type PlanSettings } from './plan.ts';

export { CREDIT_FACTOR, CREDIT_RULE, attemptCredit, isOwnWork, type CreditKind } from './credit.ts';
export { loadReadinessContent, parseReadinessFile, labDef, ReadinessFileSchema } from './content.ts';
export type { ReadinessContent, SkillDef, MilestoneDef, MaturityDef, StageDef, PathDef, LabDef } from './content.ts';
export { deriveReadiness } from './model.ts';
export type {
  Readiness,
  SkillReadiness,
  SkillEvidence,
  StageReadiness,
  LabStanding,
  MilestoneProgress,
  MilestoneStatus,
  MaturityReached,
  CapstoneReadiness,
  DeriveReadinessOptions,
  ReadinessAttempt,
  ReadinessData,
} from './model.ts';
export { derivePlan, ckaAdvice, addMonths, isoDay, DEFAULT_HOURS_PER_WEEK, CKA_SKIP_YEARS } from './plan.ts';
export type { Plan, PlanStage, PlanSettings, CkaAdvice, NextLab, StageState } from './plan.ts';

/** Readiness with its plan: what `progress --json` and the dashboard show. */
export interface ReadinessReport extends Readiness {
  plan: Plan;
}

/** Readiness and plan for one learner (or everyone), from store data. Pure. */
export function readinessReport(
  data: StoreData,
  content: ReadinessContent,
  opts: { learner?: string; settings?: PlanSettings; now: Date },
): ReadinessReport {
  const readiness = deriveReadiness(data, content, opts.learner === undefined ? {} : { learner: opts.learner });
  return { ...readiness, plan: derivePlan(readiness, content, opts.settings ?? {}, opts.now) };
}

/**
 * Reads the store, the learner's settings and the curriculum, and derives
 * the report. `learner` undefined counts everyone (the plan then uses no
 * one's settings).
 */
export async function readReadiness(
  opts: { learner?: string; labs?: LoadedLab[]; env?: NodeJS.ProcessEnv; now?: Date } = {},
): Promise<ReadinessReport> {
  const env = opts.env ?? process.env;
  const [content, data, settings] = await Promise.all([
    loadReadinessContent(opts.labs ? { labs: opts.labs } : {}),
    ProgressStore.open(storeFile(env)).read(),
    opts.learner === undefined ? undefined : SettingsStore.open(settingsFile(env)).get(opts.learner),
  ]);
  return readinessReport(data, content, {
    ...(opts.learner !== undefined ? { learner: opts.learner } : {}),
    settings: settings ? planSettings(settings) : {},
    now: opts.now ?? new Date(),
  });
}

/** The plan's view of stored settings (unset fields stay unset). */
export function planSettings(s: { path?: string; hoursPerWeek?: number; startDate?: string }): PlanSettings {
  return {
    ...(s.path !== undefined ? { path: s.path } : {}),
    ...(s.hoursPerWeek !== undefined ? { hoursPerWeek: s.hoursPerWeek } : {}),
    ...(s.startDate !== undefined ? { startDate: s.startDate } : {}),
  };
}
