import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isEnvironmentCode } from './errors.ts';

/** Every `new EnvironmentError('CODE', ...)` in the grader's sources, with where it is. */
async function thrownEnvironmentCodes(dir: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
    const file = join(entry.parentPath, entry.name);
    const text = await readFile(file, 'utf8');
    for (const m of text.matchAll(/new EnvironmentError\(\s*'([A-Z][A-Z0-9_]*)'/g)) found.set(m[1]!, file);
  }
  return found;
}

describe('environment error codes', () => {
  it('every code an EnvironmentError is thrown with makes `check` exit as an environment problem', async () => {
    const codes = await thrownEnvironmentCodes(import.meta.dirname);
    expect(codes.size).toBeGreaterThan(10);
    const unlisted = [...codes].filter(([code]) => !isEnvironmentCode(code)).map(([code, file]) => `${code} (${file})`);
    expect(unlisted).toEqual([]);
  });

  it('learner mistakes and grader bugs are not environment problems', () => {
    for (const code of ['CHECK_CRASHED', 'CHECK_TIMEOUT', 'MANIFEST_INVALID', undefined]) expect(isEnvironmentCode(code)).toBe(false);
  });
});
