import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError, UsageError } from '../errors.ts';
import { SettingsDataSchema, type PreferencesPatch } from './schema.ts';
import { SettingsStore, settingsFile } from './settings.ts';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlops-lab-settings-'));
  file = join(dir, 'data', 'settings.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fixedClock = (iso: string) => () => new Date(iso);

describe('SettingsStore', () => {
  it('lives in the data home as settings.json', () => {
    expect(settingsFile({ MLOPS_LAB_HOME: '/tmp/somewhere' })).toBe('/tmp/somewhere/settings.json');
  });

  it('reads as empty when the file does not exist, and creates nothing', async () => {
    const store = SettingsStore.open(file);
    expect(await store.read()).toEqual({ format: 'mlops-lab-settings', version: 1, learners: {} });
    expect(await store.get('ada')).toBeUndefined();
    await expect(stat(join(dir, 'data'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('returns saved settings after reopening, in a valid file', async () => {
    const store = SettingsStore.open(file, { now: fixedClock('2026-03-01T10:00:00.000Z') });
    const saved = await store.update('ada', { path: 'devops-sre', hoursPerWeek: 8, startDate: '2026-03-02' });
    expect(saved).toEqual({ path: 'devops-sre', hoursPerWeek: 8, startDate: '2026-03-02', updatedAt: '2026-03-01T10:00:00.000Z' });
    expect(await SettingsStore.open(file).get('ada')).toEqual(saved);
    const onDisk = SettingsDataSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    expect(onDisk.learners.ada).toEqual(saved);
    await expect(stat(`${file}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('sets given fields, clears null ones, keeps absent ones', async () => {
    const store = SettingsStore.open(file, { now: fixedClock('2026-03-01T10:00:00.000Z') });
    await store.update('ada', { path: 'ml-data-science', hoursPerWeek: 10 });
    const next = await SettingsStore.open(file, { now: fixedClock('2026-03-05T10:00:00.000Z') }).update('ada', {
      hoursPerWeek: null,
      startDate: '2026-04-01',
    });
    expect(next).toEqual({ path: 'ml-data-science', startDate: '2026-04-01', updatedAt: '2026-03-05T10:00:00.000Z' });
  });

  it('writes nothing for a change that changes nothing', async () => {
    const store = SettingsStore.open(file, { now: fixedClock('2026-03-01T10:00:00.000Z') });
    await store.update('ada', { path: 'backend-platform' });
    const before = await readFile(file, 'utf8');
    const again = await SettingsStore.open(file, { now: fixedClock('2027-01-01T00:00:00.000Z') }).update('ada', {
      path: 'backend-platform',
    });
    expect(again.updatedAt).toBe('2026-03-01T10:00:00.000Z');
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('keeps each learner apart, and refuses the name __proto__', async () => {
    const store = SettingsStore.open(file);
    await store.update('ada', { path: 'devops-sre' });
    await store.update('grace', { path: 'no-engineering' });
    expect((await store.get('ada'))?.path).toBe('devops-sre');
    expect((await store.get('grace'))?.path).toBe('no-engineering');
    expect(await store.get('alan')).toBeUndefined();
    await expect(store.update('__proto__', { path: 'no-engineering' })).rejects.toMatchObject({ code: 'LEARNER_INVALID' });
    expect(await store.get('__proto__')).toBeUndefined();
    expect(Object.keys((await store.read()).learners).sort()).toEqual(['ada', 'grace']);
  });

  const bad: { name: string; patch: unknown; field: string }[] = [
    { name: 'an unknown path', patch: { path: 'astronaut' }, field: 'path' },
    { name: 'zero hours a week', patch: { hoursPerWeek: 0 }, field: 'hoursPerWeek' },
    { name: '81 hours a week', patch: { hoursPerWeek: 81 }, field: 'hoursPerWeek' },
    { name: 'hours as a string', patch: { hoursPerWeek: '8' }, field: 'hoursPerWeek' },
    { name: 'a date that does not exist', patch: { startDate: '2026-02-30' }, field: 'startDate' },
    { name: 'a date with a time', patch: { startDate: '2026-02-01T10:00:00Z' }, field: 'startDate' },
    { name: 'an unknown field', patch: { theme: 'dark' }, field: 'theme' },
  ];
  for (const c of bad) {
    it(`refuses ${c.name}, naming the field, and writes nothing`, async () => {
      const error = await SettingsStore.open(file)
        .update('ada', c.patch as PreferencesPatch)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).code).toBe('SETTINGS_INVALID');
      expect((error as UsageError).message).toContain(c.field);
      await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    });
  }

  it('refuses a corrupt file and a newer layout, leaving the bytes unchanged', async () => {
    await mkdir(join(dir, 'data'));
    for (const [text, code] of [
      [
        '{"format":"mlops-lab-settings","version":1,"learners":{"ada":{"path":"pilot","updatedAt":"2026-01-01T00:00:00Z"}}}',
        'STORE_CORRUPT',
      ],
      ['not json', 'STORE_CORRUPT'],
      ['{"format":"mlops-lab-settings","version":2,"people":[]}', 'STORE_TOO_NEW'],
    ] as const) {
      await writeFile(file, text);
      const store = SettingsStore.open(file);
      for (const op of [() => store.get('ada'), () => store.update('ada', { hoursPerWeek: 5 })]) {
        const error = await op().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(StoreError);
        expect((error as StoreError).code).toBe(code);
        expect((error as StoreError).message).toContain(`settings file ${file}`);
        if (code === 'STORE_CORRUPT') expect((error as StoreError).nextStep).toContain(`mv ${file} ${file}.broken`);
      }
      expect(await readFile(file, 'utf8')).toBe(text);
    }
  });

  it('keeps every learner when several processes write at once', async () => {
    const moduleUrl = pathToFileURL(join(import.meta.dirname, 'settings.ts')).href;
    const script = `
      const { SettingsStore } = await import(${JSON.stringify(moduleUrl)});
      const store = SettingsStore.open(process.argv[1]);
      for (let i = 0; i < 10; i++) await store.update(process.argv[2] + '-' + i, { hoursPerWeek: i + 1 });
    `;
    const writer = (name: string) =>
      new Promise<void>((resolve, reject) => {
        execFile(process.execPath, ['--input-type=module', '-e', script, file, name], { timeout: 60_000 }, (error, _stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(),
        );
      });
    await Promise.all(['a', 'b', 'c'].map(writer));
    const { learners } = await SettingsStore.open(file).read();
    expect(Object.keys(learners)).toHaveLength(30);
    expect(learners['b-9']?.hoursPerWeek).toBe(10);
  });
});
