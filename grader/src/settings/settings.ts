import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { dataHome } from '../paths.ts';
import { LockedJsonFile, summarizeIssues } from '../store/json-file.ts';
import {
  emptySettings,
  PreferencesPatchSchema,
  SETTINGS_FORMAT,
  SETTINGS_VERSION,
  SettingsDataSchema,
  type LearnerSettings,
  type PreferencesPatch,
  type SettingsData,
} from './schema.ts';

/** The settings file inside the data home. */
export function settingsFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataHome(env), 'settings.json');
}

export interface SettingsStoreOptions {
  /** How long a write waits for another process's lock before STORE_LOCKED. Default 30 000 ms. */
  lockTimeoutMs?: number;
  /** The clock, for `updatedAt` (tests). */
  now?: () => Date;
}

/**
 * Learner preferences (entry path, hours a week, start date) in
 * `dataHome()/settings.json`, one entry per learner. Written like the
 * progress store: locked, atomic, flushed; read without a lock.
 */
export class SettingsStore {
  readonly #file: LockedJsonFile<SettingsData>;
  readonly #now: () => Date;

  private constructor(file: string, options: SettingsStoreOptions) {
    this.#now = options.now ?? (() => new Date());
    this.#file = new LockedJsonFile<SettingsData>(file, {
      noun: 'settings file',
      format: SETTINGS_FORMAT,
      version: SETTINGS_VERSION,
      schema: SettingsDataSchema,
      empty: emptySettings,
      corruptAdvice: 'Move it aside and choose your settings again to start a fresh file',
      ...(options.lockTimeoutMs !== undefined ? { lockTimeoutMs: options.lockTimeoutMs } : {}),
    });
  }

  /** Settings backed by `file`. Touches nothing on disk until the first write. */
  static open(file: string, options: SettingsStoreOptions = {}): SettingsStore {
    return new SettingsStore(file, options);
  }

  /** Absolute path of the settings file. */
  get file(): string {
    return this.#file.file;
  }

  /** The whole file. A file that does not exist reads as empty. */
  async read(): Promise<SettingsData> {
    return this.#file.read();
  }

  /** One learner's settings; `undefined` when they never saved any. */
  async get(learner: string): Promise<LearnerSettings | undefined> {
    const data = await this.read();
    return Object.hasOwn(data.learners, learner) ? data.learners[learner] : undefined;
  }

  /**
   * Changes one learner's preferences: given fields are set, `null` clears a
   * field, absent fields stay. Returns the settings as stored. A patch that
   * changes nothing writes nothing.
   */
  async update(learner: string, patch: PreferencesPatch): Promise<LearnerSettings> {
    if (!learner.trim()) throw new UsageError('LEARNER_REQUIRED', 'Settings need a learner name.', 'Set MLOPS_LAB_LEARNER.');
    // A JSON object cannot round-trip this key through the schema: refuse it rather than lose it.
    if (learner === '__proto__')
      throw new UsageError(
        'LEARNER_INVALID',
        'The learner name "__proto__" cannot hold settings.',
        'Set MLOPS_LAB_LEARNER to another name.',
      );
    const parsed = PreferencesPatchSchema.safeParse(patch);
    if (!parsed.success) {
      throw new UsageError(
        'SETTINGS_INVALID',
        `Invalid settings: ${summarizeIssues(parsed.error)}.`,
        'See LearnerPreferencesSchema in grader/src/settings/schema.ts for the allowed values.',
      );
    }
    const changes = parsed.data;
    return this.#file.update((data) => {
      const current = Object.hasOwn(data.learners, learner) ? data.learners[learner] : undefined;
      const next: Record<string, unknown> = { ...current };
      delete next.updatedAt;
      for (const key of ['path', 'hoursPerWeek', 'startDate'] as const) {
        const value = changes[key];
        if (value === undefined) continue;
        if (value === null) delete next[key];
        else next[key] = value;
      }
      const unchanged = current !== undefined && (['path', 'hoursPerWeek', 'startDate'] as const).every((k) => current[k] === next[k]);
      if (unchanged) return { write: false, value: current };
      const stored = { ...next, updatedAt: this.#now().toISOString() } as LearnerSettings;
      data.learners[learner] = stored;
      return { write: true, value: stored };
    });
  }
}
