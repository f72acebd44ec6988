/**
 * A learner reads their capstone report in Chromium, against a real lab
 * server with a fresh data folder:
 *   no capstone attempt: the page says how to get one, the JSON route 404s ->
 *   an attempt of their own work is stored (as `mlops-lab check` stores it):
 *   the figures with their provenance, the milestones, the resume bullet and
 *   its copy button, the link to the JSON ->
 *   an attempt that graded the revealed solution, chosen with ?attempt=:
 *   no bullet, and the page says it is not their work.
 * No Docker: nothing is graded here.
 *
 * `MLOPS_LAB_E2E_SITE` (tests only) names another site folder whose `dist/`
 * to serve, so a build can be tested without replacing site/dist.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { ProgressStore, storeFile } from '@mlops-lab/grader';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { capstoneAttempt, capstoneSolveEvent } from '../../grader/src/report/__fixtures__/capstone-attempts.ts';
import { describeWithTools, toolGate, type ProbeResult } from '../../grader/test-support/tools.ts';
import { createLabServer, type LabServer } from '../server/server.ts';
import { launchBrowser, probeChromium, quietLogger, screenshot, SITE_DIR, watchPage } from './helpers.ts';

const siteDir = process.env.MLOPS_LAB_E2E_SITE ? resolve(process.env.MLOPS_LAB_E2E_SITE) : SITE_DIR;

/** The built site, with the report page in it (a build older than the page would answer 404). */
function probeReportBuilt(): ProbeResult {
  const chunks = join(siteDir, 'dist', 'server', 'chunks');
  if (!existsSync(join(siteDir, 'dist', 'server', 'entry.mjs')) || !existsSync(chunks)) {
    return { available: false, reason: `${siteDir}/dist is not built`, hint: 'run `npm run build` in the repository root' };
  }
  if (!readdirSync(chunks).some((f) => f.startsWith('report_'))) {
    return {
      available: false,
      reason: `the build in ${siteDir}/dist predates the report page`,
      hint: 'run `npm run build` in the repository root',
    };
  }
  return { available: true, detail: chunks };
}

const chromiumGate = await toolGate('chromium', probeChromium);
const siteGate = await toolGate('the built site with the report page', async () => probeReportBuilt());

describeWithTools([chromiumGate, siteGate], 'a learner reads their capstone report (Chromium)', () => {
  let server: LabServer;
  let home: string;
  let learner: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let seen: { errors: string[] };
  const saved = { home: process.env.MLOPS_LAB_HOME, learner: process.env.MLOPS_LAB_LEARNER };
  const url = (path: string): string => new URL(path, server.url).href;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'mlops-lab-e2e-report-'));
    learner = `report-${Math.random().toString(16).slice(2, 10)}`;
    // The page renders per request and reads process.env, like the dashboard.
    process.env.MLOPS_LAB_HOME = home;
    process.env.MLOPS_LAB_LEARNER = learner;
    const env: NodeJS.ProcessEnv = { ...process.env, MLOPS_LAB_HOME: home, MLOPS_LAB_LEARNER: learner, NO_COLOR: '1' };
    delete env.MLOPS_LAB_LABS_DIR;
    server = await createLabServer({ port: 0, env, siteDir, log: quietLogger() });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    seen = watchPage(page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (saved.home === undefined) delete process.env.MLOPS_LAB_HOME;
    else process.env.MLOPS_LAB_HOME = saved.home;
    if (saved.learner === undefined) delete process.env.MLOPS_LAB_LEARNER;
    else process.env.MLOPS_LAB_LEARNER = saved.learner;
    if (home) await rm(home, { recursive: true, force: true, maxRetries: 3 });
  });

  it('without a capstone attempt, says there is no report yet and how to get one', async () => {
    const response = await page.goto(url('/report/'));
    expect(response?.status()).toBe(200);
    expect(await page.locator('[data-report-problem]').getAttribute('data-report-problem')).toBe('REPORT_NONE');
    expect(await page.locator('main').textContent()).toContain('mlops-lab check capstone/01-monitored-ml-system');
    expect((await fetch(url('/api/capstone/report'))).status).toBe(404);
  });

  it('with an attempt of their own work, shows the figures with provenance, the milestones, a bullet that copies, and the JSON', async () => {
    const attempt = capstoneAttempt({
      at: '2026-05-30T10:00:00Z',
      learner,
      statuses: { 'm6-drift-alert-reaches-receiver': 'fail' },
      omit: ['m7-rollback-restores-previous'],
    });
    await ProgressStore.open(storeFile({ MLOPS_LAB_HOME: home })).appendAttempt(attempt);
    await page.goto(url('/report/'));

    const bullet = (await page.locator('[data-resume-bullet]').textContent())?.trim();
    expect(bullet).toBe(
      'Built and operated an income classifier on UCI Adult (45,222 rows): precision 0.71 / recall 0.69, every training run tracked in MLflow, packaged as a 187 MB non-root container for Kubernetes, retrained by CI/CD behind a gate against the champion, served behind basic auth at p99 11 ms under 50 req/s.',
    );
    const p99 = page.locator('tr[data-figure="p99Ms"]');
    expect(await p99.getAttribute('data-provenance')).toBe('verified');
    expect(await p99.locator('td.value').textContent()).toBe('11 ms');
    expect(await page.locator('tr[data-figure="drift.secondsToAlert"]').getAttribute('data-provenance')).toBe('self-reported');
    expect(await page.locator('tr[data-figure="drift.method"]').textContent()).toContain('declared by the service');
    expect(await page.locator('li[data-milestone="capstone/M1"]').getAttribute('data-status')).toBe('reached');
    expect(await page.locator('li[data-milestone="capstone/M6"]').getAttribute('data-status')).toBe('not-reached');
    expect(await page.locator('li[data-milestone="capstone/M7"]').getAttribute('data-status')).toBe('not-graded');
    const m6 = (await page.locator('li[data-milestone="capstone/M6"]').textContent())?.replace(/\s+/g, ' ');
    expect(m6).toContain('M6. Drift detected and alerted on: not reached: 0 of 1 checks pass');
    expect(m6).toContain('✗ Shifted traffic brings the drift alert (m6-drift-alert-reaches-receiver, fail): It does not hold');
    expect((await page.locator('[data-credit-statement]').textContent())?.replace(/\s+/g, ' ')).toBe(
      'Credit: Your own work: the reference solution had not been revealed for this lab when it was graded.',
    );
    expect(await page.locator('main').textContent()).toContain(
      `mlops-lab report capstone/01-monitored-ml-system --attempt ${attempt.attemptId}`,
    );

    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await page.getByRole('button', { name: 'Copy the bullet' }).click();
    await expect.poll(() => page.locator('[data-copy-status]').textContent()).toBe('Copied.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(bullet);

    const href = await page.locator('a[data-report-json]').getAttribute('href');
    expect(href).toBe('/api/capstone/report');
    const json = (await (await fetch(url(href!))).json()) as { attempt: { id: string }; resumeBullet: string };
    expect(json.attempt.id).toBe(attempt.attemptId);
    expect(json.resumeBullet).toBe(bullet);

    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    expect(seen.errors).toEqual([]);
    await screenshot(page, 'capstone-report', { tall: true });
  });

  it('for an attempt that graded the revealed solution, shows no bullet and says it is not their work', async () => {
    const store = ProgressStore.open(storeFile({ MLOPS_LAB_HOME: home }));
    await store.appendEvent(capstoneSolveEvent('2026-06-01T09:00:00Z', learner));
    const solved = capstoneAttempt({ at: '2026-06-01T10:00:00Z', learner, credit: 'solution' });
    await store.appendAttempt(solved);
    await page.goto(url(`/report/?attempt=${solved.attemptId}`));
    expect(await page.locator('[data-resume-bullet]').count()).toBe(0);
    expect(await page.locator('[data-resume-bullet-none]').textContent()).toContain(
      'graded the revealed reference solution, not your work',
    );
    expect(await page.locator('[data-credit-statement]').textContent()).toContain('Not your work');
    expect(await page.getByRole('button', { name: 'Copy the bullet' }).count()).toBe(0);
    expect(await page.locator('a[data-report-json]').getAttribute('href')).toBe(`/api/capstone/report?attempt=${solved.attemptId}`);

    await page.goto(url('/report/?attempt=deadbeefdeadbeef'));
    expect(await page.locator('[data-report-problem]').getAttribute('data-report-problem')).toBe('ATTEMPT_UNKNOWN');
  });
});
