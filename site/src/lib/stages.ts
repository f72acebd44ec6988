import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '@mlops-lab/grader';
import { StageFrontmatterSchema } from '../content/schemas.ts';

/**
 * Stage ids, orders and titles straight from content/stages/*.md, for
 * astro.config.ts (which runs before content collections exist).
 */
export async function stageTitles(): Promise<{ id: string; order: number; title: string }[]> {
  const dir = join(repoRoot, 'content', 'stages');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.md'));
  const stages = await Promise.all(
    files.map(async (file) => {
      const text = await readFile(join(dir, file), 'utf8');
      const match = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
      const fm = StageFrontmatterSchema.parse(parse(match?.[1] ?? ''));
      return { id: file.replace(/\.md$/, ''), order: fm.order, title: fm.title };
    }),
  );
  return stages.sort((a, b) => a.order - b.order);
}
