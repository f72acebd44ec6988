import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../provision/objects.ts';

/** cluster/services: the shared lab services, one file per service, applied in file-name order. */
export const SERVICES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'services');

/** Every object in cluster/services/*.yaml, in order. */
export async function serviceManifests(dir = SERVICES_DIR): Promise<KubeObject[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  const objects: KubeObject[] = [];
  for (const file of files) {
    const docs = parseAllDocuments(await readFile(join(dir, file), 'utf8'));
    for (const doc of docs) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      const object = doc.toJS({ maxAliasCount: 0 }) as KubeObject | null;
      if (object) objects.push(object);
    }
  }
  return objects;
}
