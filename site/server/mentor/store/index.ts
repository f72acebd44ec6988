/**
 * Opens the mentor store a URL names: a file path for the lowdb JSON file
 * (the default, `<data home>/mentor.json`), or a `postgres://` /
 * `postgresql://` URL for PostgreSQL (several replicas). See ../CONTRACT.md.
 */
import { fileURLToPath } from 'node:url';
import { LowdbMentorStore } from './lowdb.ts';
import { PostgresMentorStore } from './postgres.ts';
import { MentorStoreError, type MentorStore } from './types.ts';

export * from './types.ts';
export { LowdbMentorStore } from './lowdb.ts';
export { PostgresMentorStore, redactUrl } from './postgres.ts';

/** Opens (and creates or migrates when needed) the store at `url`. */
export async function openMentorStore(url: string): Promise<MentorStore> {
  const trimmed = url.trim();
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return PostgresMentorStore.open(trimmed);
  if (/^file:\/\//i.test(trimmed)) return LowdbMentorStore.open(fileURLToPath(trimmed));
  if (trimmed === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw new MentorStoreError(
      'STORE_URL_INVALID',
      `The mentor store ${JSON.stringify(url)} is neither a file path nor a postgres:// URL.`,
      'Set MLOPS_LAB_MENTOR_STORE to a file such as ~/.local/share/mlops-lab/mentor.json or to postgres://user:password@host:5432/database.',
    );
  }
  return LowdbMentorStore.open(trimmed);
}
