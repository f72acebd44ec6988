import { readFile } from 'node:fs/promises';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Overview } from './CohortView.tsx';
import type { CohortOverview } from './types.ts';

// The overview as the mentor API sends it (CONTRACT.md), with one learner stuck on a check and one inactive.
const overview = JSON.parse(
  await readFile(new URL('./__fixtures__/cohort-overview/overview.json', import.meta.url), 'utf8'),
) as CohortOverview;

function render(): string {
  return renderToStaticMarkup(
    createElement(Overview, {
      overview,
      labTitles: { 'docker/01-containerise-model-api': 'Containerise a model API' },
      session: undefined,
      onChanged: () => {},
    }),
  );
}

/** Text of a fragment of React's markup (tags dropped, its few entities decoded). */
function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&#x27;', "'")
    .replaceAll('&quot;', '"')
    .replaceAll('&amp;', '&');
}

/** The cells of a row (no table nests inside another here). */
function cells(rowHtml: string): { tag: string; attrs: string; text: string }[] {
  return [...rowHtml.matchAll(/<(th|td)\b([^>]*)>(.*?)<\/\1>/g)].map((m) => ({ tag: m[1]!, attrs: m[2]!, text: text(m[3]!) }));
}

/** The body's rows: learner id, stuck flag, each cell's text and class. */
function rows(html: string): { id: string; stuck: string; cells: string[]; classes: string[] }[] {
  const body = /<tbody>(.*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr data-learner="([^"]*)" data-stuck="([^"]*)"[^>]*>(.*?)<\/tr>/g)].map((m) => {
    const c = cells(m[3]!);
    return { id: m[1]!, stuck: m[2]!, cells: c.map((x) => x.text), classes: c.map((x) => /class="([^"]*)"/.exec(x.attrs)?.[1] ?? '') };
  });
}

const attr = (html: string, selector: RegExp, name: string): string | undefined => {
  const tag = selector.exec(html)?.[0];
  return tag ? new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1]?.replaceAll('&amp;', '&') : undefined;
};

describe('Overview (the cohort page)', () => {
  it('lists stuck learners first, flagged, with the reason in words', () => {
    const r = rows(render());
    expect(r.map((x) => x.id)).toEqual(['l-alan', 'l-grace', 'l-ada']);
    expect(r.map((x) => x.stuck)).toEqual(['true', 'true', 'false']);
    expect(r[1]!.cells[1]).toBe('⚠ Stuckfailed check image-runs-as-non-root of lab Containerise a model API 4 times');
    expect(r[0]!.cells[1]).toBe('⚠ Stuckinactive for 9 days');
    expect(r[2]!.cells[1]).toBe('on track');
  });

  it('shows readiness, last activity, each stage in numbers with a colour step, and the capstone', () => {
    const html = render();
    const ada = rows(html).find((x) => x.id === 'l-ada')!;
    expect(ada.cells).toEqual(['Ada Lovelace', 'on track', '42%', 'within a day', '100%5/5', '50%1/2, 1 tried', 'M1 · maturity 1']);
    expect(ada.classes.slice(4, 6)).toEqual(['mentor-heat heat-5', 'mentor-heat heat-3']);
    const alan = rows(html).find((x) => x.id === 'l-alan')!;
    expect(alan.cells.slice(2, 6)).toEqual(['<1%', '9 days ago', '20%1/5', '0%0/2']);
    expect(alan.classes.slice(4, 6)).toEqual(['mentor-heat heat-1', 'mentor-heat heat-0']);
    const head = /<thead>(.*?)<\/thead>/.exec(html)?.[1] ?? '';
    expect(cells(head).map((c) => c.text)).toEqual([
      'Learner',
      'Status',
      'Readiness',
      'Last activity',
      'Containers with Docker',
      'Kubernetes',
      'Capstone',
    ]);
  });

  it('links each learner to their timeline and the cohort to its CSV export', () => {
    const html = render();
    expect(attr(html, /<a href="\/mentor\/learner\/\?id=l-grace[^>]*>/, 'href')).toBe(
      '/mentor/learner/?id=l-grace&cohort=c0ffee00-0000-4000-8000-000000000001',
    );
    expect(attr(html, /<a [^>]*data-export[^>]*>/, 'href')).toBe('/api/mentor/cohorts/c0ffee00-0000-4000-8000-000000000001/export.csv');
    expect(attr(html, /<a [^>]*data-export[^>]*>/, 'download')).toBe('autumn-cohort.csv');
    expect(text(/<p data-summary[^>]*>(.*?)<\/p>/.exec(html)?.[1] ?? '')).toContain('3 learners, ⚠ 2 stuck');
  });
});
