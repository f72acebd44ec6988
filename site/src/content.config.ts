import { defineCollection } from 'astro:content';
import type { Loader } from 'astro/loaders';
import { glob } from 'astro/loaders';
import { docsSchema } from '@astrojs/starlight/schema';
import { loadAllLabs, loadInstructions } from '@mlops-lab/grader';
import { LabEntrySchema, PathFrontmatterSchema, StageFrontmatterSchema } from './content/schemas.ts';

/**
 * Every lab's manifest and instruction steps, read through the grader (the
 * same loader the CLI uses), so the site cannot disagree with the grader.
 */
function labsLoader(): Loader {
  return {
    name: 'mlops-lab-labs',
    async load({ store, parseData, renderMarkdown, generateDigest }) {
      store.clear();
      for (const lab of await loadAllLabs()) {
        const m = lab.manifest;
        const steps = [];
        for (const step of await loadInstructions(lab)) {
          const rendered = await renderMarkdown(step.body);
          steps.push({ file: step.file, title: step.title, html: demoteHeadings(rendered.html) });
        }
        const data = await parseData({
          id: m.id,
          data: {
            title: m.title,
            stage: m.stage,
            summary: m.summary,
            minutes: m.minutes,
            difficulty: m.difficulty,
            needs: m.needs,
            skills: m.skills,
            version: m.version,
            checks: m.checks.map((c) => ({ id: c.id, title: c.title, ...(c.hint ? { hint: c.hint } : {}) })),
            steps,
          },
        });
        store.set({ id: m.id, data, digest: generateDigest(data) });
      }
    },
  };
}

/** Each step's title is an h2 on the lab page, so the step's own headings move one level down. */
function demoteHeadings(html: string): string {
  return html.replace(/<(\/?)h([1-5])(?=[\s>])/g, (_m, slash: string, level: string) => `<${slash}h${Number(level) + 1}`);
}

export const collections = {
  docs: defineCollection({ loader: glob({ base: '../content/docs', pattern: '**/[^_]*.{md,mdx}' }), schema: docsSchema() }),
  stages: defineCollection({ loader: glob({ base: '../content/stages', pattern: '*.md' }), schema: StageFrontmatterSchema }),
  paths: defineCollection({ loader: glob({ base: '../content/paths', pattern: '*.md' }), schema: PathFrontmatterSchema }),
  labs: defineCollection({ loader: labsLoader(), schema: LabEntrySchema }),
};
