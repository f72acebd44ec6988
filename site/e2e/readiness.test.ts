/**
 * A learner sees their readiness and plan on the dashboard, in Chromium,
 * against a real lab server with a fresh data folder:
 *   a new learner: nine skills at zero, a plan with the first lab of the
 *   roadmap, the capstone not started ->
 *   a passing attempt of a real lab is appended to the store (the store API
 *   the CLI uses) -> a reload shows the lab's skills moved and the next lab
 *   changed ->
 *   the learner sets hours a week and a start date in the page's form and
 *   chooses a path: the plan follows both.
 * The skill and stage charts are recharts islands (`client:idle`): the
 * server sends their numbers (a fallback list and a table), and the bars
 * are drawn once the page is idle.
 * No Docker: nothing is graded here, the attempt is stored as the CLI stores it.
 */
import { randomUUID } from 'node:crypto';
import { AxeBuilder } from '@axe-core/playwright';
import { loadAllLabs, ProgressStore, RESULT_SCHEMA_VERSION, storeFile, type AttemptResult } from '@mlops-lab/grader';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTools, toolGate } from '../../grader/test-support/tools.ts';
import {
  LAB,
  launchBrowser,
  pageFetch,
  probeChromium,
  probeSiteBuilt,
  screenshot,
  startSiteServer,
  watchPage,
  type SiteServer,
} from './helpers.ts';
import { hydrated } from './lab-page.ts';

const chromiumGate = await toolGate('chromium', probeChromium);
const siteGate = await toolGate('the built site (site/dist)', probeSiteBuilt);

const labs = await loadAllLabs();
const lab = labs.find((l) => l.manifest.id === LAB)!;
/** The second Docker lab by id: what the plan offers once the first is passed. */
const SECOND = labs
  .filter((l) => l.manifest.stage === 'docker')
  .map((l) => l.manifest.id)
  .sort()[1]!;

/** A passing attempt of the learner's own work at LAB, with the lab's real checks, as `mlops-lab check` stores it. */
function passingAttempt(learner: string): AttemptResult {
  const now = new Date().toISOString();
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    lab: { id: LAB, version: lab.manifest.version },
    attemptId: randomUUID(),
    learner,
    startedAt: now,
    finishedAt: now,
    status: 'pass',
    credit: 'learner',
    source: 'cli',
    environment: { node: process.version, platform: `${process.platform}-${process.arch}`, grader: '0.1.0' },
    checks: lab.manifest.checks.map((c) => ({ id: c.id, title: c.title, status: 'pass', message: 'It holds.', durationMs: 5 })),
  };
}

/** Skill id -> score, from the server-rendered table beside the chart. */
async function scores(page: Page): Promise<Record<string, number>> {
  const pairs = await page
    .locator('table[data-chart="skills"] tr[data-skill]')
    .evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-skill') ?? '', Number(g.getAttribute('data-score'))] as const));
  return Object.fromEntries(pairs);
}

/**
 * Scrolls a chart island into view (it hydrates `client:visible`) and waits
 * for recharts to draw it; returns its category labels and how many of its
 * bars of the given series have a width.
 */
async function drawnChart(page: Page, chart: 'skills' | 'stages', series = 'bar-own'): Promise<{ labels: string[]; wideBars: number }> {
  const figure = page.locator('figure.readiness-chart').filter({ has: page.locator(`table[data-chart="${chart}"]`) });
  await figure.scrollIntoViewIfNeeded();
  const drawn = figure.locator(`[data-chart-rendered="${chart}"] .recharts-wrapper > svg.recharts-surface`);
  await drawn.waitFor();
  // recharts draws the axis labels in their own layer, a frame after the surface.
  // The first y axis names the bars (the second, on the right, gives their values).
  const ticks = figure.locator('.recharts-yAxis-tick-labels').first().locator('.recharts-cartesian-axis-tick-value');
  await expect.poll(() => ticks.count(), { timeout: 10_000 }).toBeGreaterThan(0);
  const labels = await ticks.allTextContents();
  const widths = await figure
    .locator(`.${series} .recharts-bar-rectangle path`)
    .evaluateAll((paths) => paths.map((p) => (p as SVGGraphicsElement).getBBox().width));
  return { labels, wideBars: widths.filter((w) => w > 0.5).length };
}

describeWithTools([chromiumGate, siteGate], 'a learner sees their readiness and plan (Chromium)', () => {
  let server: SiteServer;
  let browser: Browser;
  let page: Page;
  let seen: { errors: string[] };
  const url = (path: string): string => new URL(path, server.url).href;

  beforeAll(async () => {
    server = await startSiteServer({ prefix: 'readiness' });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' })).newPage();
    page.setDefaultTimeout(20_000);
    seen = watchPage(page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('a new learner sees nine skills at zero, a plan starting with the first lab, and the capstone not started', async () => {
    const response = await page.goto(url('/dashboard/'));
    expect(response?.status()).toBe(200);
    const s = await scores(page);
    expect(Object.keys(s)).toEqual([
      'production-python',
      'kubernetes',
      'cloud-platform',
      'pipeline-orchestration',
      'model-serving',
      'experiment-tracking',
      'drift-monitoring',
      'ml-fundamentals',
      'observability',
    ]);
    expect(Object.values(s).every((v) => v === 0)).toBe(true);
    expect(await page.locator('[data-overall]').textContent()).toContain('Overall 0%');

    // The server sends the numbers; the bars come with the island.
    const html = await (await fetch(url('/dashboard/'))).text();
    expect(html.match(/<astro-island[^>]*component-export="default"[^>]*client="idle"/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    expect(html).toContain('1. Production Python: 0%');
    const skills = await drawnChart(page, 'skills');
    expect(skills.labels).toHaveLength(9);
    expect(skills.labels[0]).toMatch(/^1\. /);
    expect(skills.wideBars).toBe(0);
    const stageChart = await drawnChart(page, 'stages');
    expect(stageChart.labels).toHaveLength(9);
    expect(stageChart.labels[0]).toBe('Containers with Docker');
    expect(stageChart.wideBars).toBe(0);
    expect(await page.getByRole('img', { name: /^Readiness per skill, ranked/ }).count()).toBe(1);
    expect(await page.getByRole('img', { name: /^Completion per stage/ }).count()).toBe(1);

    expect(await page.locator('[data-next-lab]').getAttribute('data-next-lab')).toBe(LAB);
    expect(await page.locator('.next-lab').getByRole('link').first().getAttribute('href')).toBe(`/labs/${LAB}/`);
    expect(await page.locator('[data-plan-status]').getAttribute('data-plan-status')).toBe('on-track');
    expect(await page.locator('main').textContent()).toContain('No path chosen yet');
    expect(await page.locator('[data-chart="plan"] g[data-plan-stage]').count()).toBe(9);
    expect(await page.getByRole('img', { name: /Your plan: the stages/ }).count()).toBe(1);

    const checklist = page.locator('[data-milestone]');
    expect(await checklist.count()).toBe(7);
    expect(await checklist.evaluateAll((li) => li.map((l) => l.getAttribute('data-status')))).toEqual(Array(7).fill('not-started'));
    expect(await page.locator('[data-capstone-report]').textContent()).toContain('Capstone: not started');
    expect(await page.locator('[data-maturity]').getAttribute('data-maturity')).toBe('0');

    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    await screenshot(page, 'readiness-new-learner');
  });

  it('after a stored pass of a real lab, the skills it practises move and the next lab changes', async () => {
    await ProgressStore.open(storeFile(server.env)).appendAttempt(passingAttempt(server.learner));
    await page.reload();
    const s = await scores(page);
    for (const skill of lab.manifest.skills) expect(s[skill], skill).toBeGreaterThan(0);
    expect(s['drift-monitoring']).toBe(0);
    expect(Number(await page.locator('[data-overall]').getAttribute('data-overall'))).toBeGreaterThan(0);
    expect(await page.locator('[data-next-lab]').getAttribute('data-next-lab')).toBe(SECOND);
    expect(await page.locator('[data-chart="plan"] g[data-plan-stage="docker"]').getAttribute('data-state')).toBe('in-progress');
    expect(Number(await page.locator('[data-stage-bar="docker"]').getAttribute('data-completion'))).toBeGreaterThan(0);
    // The charts draw a bar for every skill the lab moved, and one for the Docker stage.
    expect((await drawnChart(page, 'skills')).wideBars).toBe(Object.values(s).filter((v) => v > 0).length);
    expect((await drawnChart(page, 'stages')).wideBars).toBe(1);
    // The recent attempts list shows the stored attempt.
    expect(await page.locator('#recent ~ table tbody tr').count()).toBe(1);
  });

  it('follows the hours a week and start date set in the page, and the chosen path', async () => {
    await hydrated(page);
    await page.getByLabel('Hours a week', { exact: true }).fill('5');
    await page.getByLabel('Start date', { exact: true }).fill('2026-01-05');
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Update my plan' }).click()]);
    expect(await page.locator('[data-plan-status]').textContent()).toContain('5 h a week from 5 Jan 2026');
    expect(await page.locator('main').textContent()).not.toContain('Assumed until you set');
    expect(await page.getByLabel('Hours a week', { exact: true }).inputValue()).toBe('5');

    // A value the server refuses is explained in the form, and nothing changes.
    await page.getByLabel('Hours a week', { exact: true }).fill('0');
    await page.getByRole('button', { name: 'Update my plan' }).click();
    // The browser's own validation (min 1) stops the submit before the server sees it.
    expect(await page.getByLabel('Hours a week', { exact: true }).evaluate((el) => (el as HTMLInputElement).validity.valid)).toBe(false);

    const saved = await pageFetch(page, '/api/settings', 'PUT', { path: 'devops-sre' });
    expect(saved.status).toBe(200);
    await page.reload();
    expect(await page.locator('[data-plan-status]').textContent()).toContain('From DevOps or SRE');
    const order = await page
      .locator('[data-chart="plan"] g[data-plan-stage]')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-plan-stage')));
    expect(order).toEqual(['docker', 'kubernetes', 'mlflow', 'dvc', 'cicd', 'serving', 'monitoring', 'iac', 'capstone']);
    expect(await page.locator('[data-cka]').getAttribute('data-cka')).toBe('depends');
    await screenshot(page, 'readiness-dashboard');
    expect(seen.errors).toEqual([]);
  });
});
