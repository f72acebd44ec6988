/**
 * Accessibility of every page type, in Chromium, with axe-core (WCAG 2.0 /
 * 2.1, levels A and AA): no `serious` or `critical` violation, in the light
 * and the dark theme. The lab page is scanned in each of its states: not
 * started, started (before a check), and after checks (pass, fail, error
 * and skipped rows, the readiness warning, the reveal offer and its
 * confirmation, the open attempt history).
 *
 * These tests need no Docker: the server's engine points at a Docker socket
 * that does not exist, which is itself a state the lab page must present
 * accessibly (error rows with guidance).
 *
 * Keyboard: Tab reaches the Check button, which shows a visible focus
 * outline, and Enter runs the check.
 */
import { AxeBuilder } from '@axe-core/playwright';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithTools, toolGate } from '../../grader/test-support/tools.ts';
import {
  LAB_PATH,
  launchBrowser,
  probeChromium,
  probeSiteBuilt,
  screenshot,
  startSiteServer,
  themedContext,
  type SiteServer,
} from './helpers.ts';
import { armCheck, checkRows, hydrated, runCheck, waitForAttemptCount, waitForCheckDone } from './lab-page.ts';

const chromiumGate = await toolGate('chromium', probeChromium);
const siteGate = await toolGate('the built site (site/dist)', probeSiteBuilt);

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING = new Set(['serious', 'critical']);
const THEMES = ['light', 'dark'] as const;

/** Pages that need no set-up beyond a chosen path. */
const PAGES: { name: string; path: string; status: number }[] = [
  { name: 'home', path: '/', status: 200 },
  { name: 'path', path: '/path/', status: 200 },
  { name: 'roadmap', path: '/roadmap/', status: 200 },
  { name: 'stage', path: '/stages/docker/', status: 200 },
  { name: 'guide', path: '/guides/first-90-days/', status: 200 },
  // On a learner's server the mentor page says it is not a mentor server; site/e2e/mentor.test.ts scans it in mentor mode.
  { name: 'mentor', path: '/mentor/', status: 200 },
  { name: '404', path: '/labs/docker/99-nope/', status: 404 },
];

/**
 * Known violations that are not this project's markup: excluded from the
 * per-page scans (so a new problem on a page is not hidden behind them) and
 * asserted once each in their own test below, which fails until they are fixed.
 */
// Starlight's search button ("Ctrl K" hint not in its name "Search", WCAG
// 2.5.3) was the one entry; site/src/styles/lab.css hides the hint, so the
// per-page scans now cover that button too.
const KNOWN: { rule: string; selector: string; why: string }[] = [];

/** Violations below serious, reported once at the end (they do not fail the suite). */
const minor: string[] = [];

type Violation = Awaited<ReturnType<AxeBuilder['analyze']>>['violations'][number];

function describeViolation(v: Violation): string {
  const targets = v.nodes
    .slice(0, 3)
    .map((n) => n.target.join(' '))
    .join(' | ');
  const more = v.nodes.length > 3 ? ` (+${v.nodes.length - 3} more)` : '';
  const summary = v.nodes[0]?.failureSummary?.split('\n').slice(0, 3).join(' ') ?? '';
  return `${v.id} [${v.impact}] ${v.help} — ${targets}${more}${summary ? `\n      ${summary}` : ''}`;
}

function isKnown(v: Violation): boolean {
  // axe writes the target as `button[data-open-modal=""]`.
  return KNOWN.some((k) => k.rule === v.id && v.nodes.every((n) => n.target.join(' ').replaceAll('=""', '') === k.selector));
}

/** The EC code blocks make themselves focusable when they scroll (after a debounce); axe must see the page after that. */
async function settled(page: Page): Promise<void> {
  await hydrated(page);
  await page
    .waitForFunction(
      () =>
        [...document.querySelectorAll<HTMLElement>('.expressive-code pre')].every(
          (pre) => pre.scrollWidth <= pre.clientWidth || pre.hasAttribute('tabindex'),
        ),
      undefined,
      { timeout: 5_000, polling: 100 },
    )
    .catch(() => {
      // Left to axe to report (scrollable-region-focusable).
    });
}

/** Scans the page; fails on serious or critical violations with each one's id, impact, help and first targets. */
async function expectNoSeriousViolations(page: Page, label: string): Promise<void> {
  await settled(page);
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const blocking = results.violations.filter((v) => BLOCKING.has(v.impact ?? '') && !isKnown(v));
  for (const v of results.violations.filter((x) => !BLOCKING.has(x.impact ?? ''))) minor.push(`${label}: ${describeViolation(v)}`);
  if (blocking.length > 0) console.error(`axe, ${label}:\n${blocking.map((v) => `  - ${describeViolation(v)}`).join('\n')}`);
  expect(blocking.map(describeViolation), `serious/critical axe violations on ${label}`).toEqual([]);
}

async function expectTheme(page: Page, theme: string): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
}

/** A same-origin JSON request from Node, as the page would send it. */
async function api(server: SiteServer, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(new URL(path, server.url), {
    method,
    headers: { origin: server.url, 'content-type': 'application/json', accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json: unknown = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

describeWithTools([chromiumGate, siteGate], 'accessibility: axe-core, WCAG 2.1 A and AA (Chromium)', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    if (minor.length > 0) console.info(`axe, moderate and minor violations (not failing):\n${minor.map((m) => `  - ${m}`).join('\n')}`);
  });

  for (const theme of THEMES) {
    describe(`${theme} theme`, () => {
      let server: SiteServer;
      let context: BrowserContext;
      let page: Page;
      const url = (path: string): string => new URL(path, server.url).href;

      beforeAll(async () => {
        // One server per theme: each starts from a learner with no workspace.
        server = await startSiteServer({ env: { DOCKER_HOST: 'unix:///nonexistent/mlops-lab-e2e/docker.sock' }, prefix: `a11y-${theme}` });
        await api(server, 'PUT', '/api/settings', { path: 'devops-sre' });
        context = await themedContext(browser, theme);
        page = await context.newPage();
        page.setDefaultTimeout(20_000);
      });

      afterAll(async () => {
        await context?.close();
        await server?.dispose();
      });

      for (const p of PAGES) {
        it(`${p.name} (${p.path})`, async () => {
          const response = await page.goto(url(p.path));
          expect(response?.status()).toBe(p.status);
          await hydrated(page);
          await expectTheme(page, theme);
          if (theme === 'dark') await screenshot(page, `dark-${p.name}`);
          await expectNoSeriousViolations(page, `${p.name}, ${theme}`);
        });
      }

      it('lab page, not started', async () => {
        await page.goto(url(LAB_PATH));
        await hydrated(page);
        await page.getByRole('button', { name: 'Start the lab' }).waitFor();
        await page.getByRole('note').waitFor();
        await expectTheme(page, theme);
        await expectNoSeriousViolations(page, `lab not started, ${theme}`);
      });

      it('lab page, started, before a check', async () => {
        await page.getByRole('button', { name: 'Start the lab' }).click();
        await page.locator('.check-workspace').waitFor();
        expect(new Set(Object.values(await checkRows(page)))).toEqual(new Set(['idle']));
        await expectNoSeriousViolations(page, `lab before check, ${theme}`);
      });

      it('lab page, after checks: result rows, the reveal offer and the history', async () => {
        for (const n of [1, 2, 3]) {
          await runCheck(page, 30_000);
          await waitForAttemptCount(page, n);
        }
        const states = new Set(Object.values(await checkRows(page)));
        for (const s of ['pass', 'fail', 'error', 'skip']) expect(states, `a ${s} row is on the page`).toContain(s);
        await page.locator('details.check-history summary').click();
        await page.getByRole('button', { name: 'Stuck? Reveal the solution…' }).waitFor();
        if (theme === 'dark') await screenshot(page, 'dark-lab-after-check', { tall: true });
        await expectNoSeriousViolations(page, `lab after check, ${theme}`);
        await page.getByRole('button', { name: 'Stuck? Reveal the solution…' }).click();
        await page.getByRole('button', { name: 'Keep trying' }).waitFor();
        await expectNoSeriousViolations(page, `lab after check, reveal confirmation open, ${theme}`);
      });

      it('dashboard, with attempts', async () => {
        const response = await page.goto(url('/dashboard/'));
        expect(response?.status()).toBe(200);
        expect(await page.locator('#recent ~ table tbody tr').count()).toBe(3);
        await expectTheme(page, theme);
        if (theme === 'dark') await screenshot(page, 'dark-dashboard');
        await expectNoSeriousViolations(page, `dashboard, ${theme}`);
      });
    });
  }

  describe.runIf(KNOWN.length > 0)('known violations, each asserted once', () => {
    let server: SiteServer;
    let context: BrowserContext;

    beforeAll(async () => {
      server = await startSiteServer({ env: { DOCKER_HOST: 'unix:///nonexistent/mlops-lab-e2e/docker.sock' }, prefix: 'a11y-known' });
      context = await themedContext(browser, 'light');
    });

    afterAll(async () => {
      await context?.close();
      await server?.dispose();
    });

    for (const known of KNOWN) {
      it(`${known.rule} on ${known.selector} (${known.why})`, async () => {
        const page = await context.newPage();
        await page.goto(new URL('/', server.url).href);
        await settled(page);
        const results = await new AxeBuilder({ page }).withRules([known.rule]).include(known.selector).analyze();
        expect(results.violations.map(describeViolation)).toEqual([]);
      });
    }
  });

  describe('keyboard', () => {
    let server: SiteServer;
    let context: BrowserContext;
    let page: Page;

    beforeAll(async () => {
      server = await startSiteServer({ env: { DOCKER_HOST: `unix://${join('/nonexistent', 'docker.sock')}` }, prefix: 'a11y-keys' });
      await api(server, 'POST', '/api/labs/docker/01-containerise-model-api/start', {});
      context = await themedContext(browser, 'light');
      page = await context.newPage();
      page.setDefaultTimeout(20_000);
    });

    afterAll(async () => {
      await context?.close();
      await server?.dispose();
    });

    it('Tab reaches the Check button, its focus is visible, and Enter runs the check', async () => {
      await page.goto(new URL(LAB_PATH, server.url).href);
      await hydrated(page);
      // The button is server-rendered disabled; it is enabled once the panel has read the workspace.
      await page.locator('.check-workspace').waitFor();
      const check = page.getByRole('button', { name: 'Check', exact: true });
      expect(await check.isEnabled()).toBe(true);

      let presses = 0;
      const focusedIsCheck = (): Promise<boolean> =>
        page.evaluate(() => document.activeElement?.classList.contains('check-button') ?? false);
      while (!(await focusedIsCheck())) {
        if (++presses > 250) throw new Error('250 Tab presses did not reach the Check button');
        await page.keyboard.press('Tab');
      }
      const focus = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const style = getComputedStyle(el);
        const rect = el.getBoundingClientRect();
        return {
          focusVisible: el.matches(':focus-visible'),
          outlineStyle: style.outlineStyle,
          outlineWidth: parseFloat(style.outlineWidth),
          inViewport: rect.top >= 0 && rect.bottom <= window.innerHeight,
        };
      });
      expect(focus.focusVisible).toBe(true);
      expect(focus.outlineStyle).not.toBe('none');
      expect(focus.outlineWidth).toBeGreaterThanOrEqual(2);
      expect(focus.inViewport, 'the focused Check button is scrolled into view').toBe(true);
      console.info(`keyboard: the Check button is Tab stop ${presses} on the lab page`);

      await armCheck(page);
      await page.keyboard.press('Enter');
      const summary = await waitForCheckDone(page, 30_000);
      expect(summary).toMatch(/^\d of 9 checks pass\.$/);
      await waitForAttemptCount(page, 1);
    });
  });
});
