/**
 * The mentor dashboard, in Chromium, against a real lab server in mentor
 * mode serving the built site, over a lowdb mentor store seeded by the real
 * admin CLI (`npm run mentor -- seed`: one learner stuck on a check, one
 * inactive, the others on track):
 *   a wrong password is refused with a message ->
 *   the mentor logs in and sees the cohort -> the cohort's heatmap lists
 *   the stuck learners first, flagged, with their reasons ->
 *   the stuck learner's timeline opens to a failed check's expected and
 *   actual, marked self-reported ->
 *   the CSV export downloads one row per learner;
 * a page opened without a session goes to the login form and comes back;
 * an unknown cohort says so; both pages pass axe in the light and dark theme;
 * a learner's sync token reads only that learner's data (from the test,
 * through the API). On a learner's own lab server, /mentor/ says it is not
 * a mentor server.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithTools, toolGate } from '../../grader/test-support/tools.ts';
import {
  launchBrowser,
  probeChromium,
  probeMentorMode,
  probeSiteBuilt,
  screenshot,
  startMentorSiteServer,
  startSiteServer,
  themedContext,
  watchPage,
  type MentorSiteServer,
} from './helpers.ts';
import { hydrated } from './lab-page.ts';

const chromiumGate = await toolGate('chromium', probeChromium);
const siteGate = await toolGate('the built site (site/dist)', probeSiteBuilt);
const mentorGate = await toolGate('mentor mode (site/server/mentor)', probeMentorMode);

const LEARNERS = 12;

async function expectNoSeriousViolations(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    blocking.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`),
    `serious/critical axe violations on ${label}`,
  ).toEqual([]);
}

/** A small RFC 4180 reader: quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

describeWithTools([chromiumGate, siteGate, mentorGate], 'a mentor follows a cohort (Chromium, mentor mode)', () => {
  let server: MentorSiteServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let seen: { errors: string[] };
  const url = (path: string): string => new URL(path, server.url).href;
  const role = (r: 'stuck' | 'inactive' | 'on-track') => server.seeded.learners.find((l) => l.role === r)!;

  beforeAll(async () => {
    server = await startMentorSiteServer({ learners: LEARNERS });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: 'light', acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    seen = watchPage(page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('refuses a wrong password with a message, and keeps the form', async () => {
    const response = await page.goto(url('/mentor/'));
    expect(response?.status()).toBe(200);
    await hydrated(page);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await logIn(page, server.seeded.mentor.email, `${server.seeded.mentor.password}-wrong`);
    const alert = page.locator('.mentor-login [role="alert"]');
    await alert.waitFor();
    expect(await alert.getAttribute('data-error')).toBe('LOGIN_FAILED');
    expect(await alert.textContent()).toContain('The email or the password is wrong.');
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    expect(await page.locator('.mentor-cohorts').count()).toBe(0);
    await expectNoSeriousViolations(page, 'mentor login, wrong password');
  });

  it('logs in and lists the seeded cohort with its learners and how many are stuck', async () => {
    await logIn(page, server.seeded.mentor.email, server.seeded.mentor.password);
    const row = page.locator(`.mentor-cohorts tr[data-cohort="${server.seeded.cohort.id}"]`);
    await row.waitFor();
    expect(await page.locator('.mentor-whoami').textContent()).toContain(server.seeded.mentor.email);
    const cells = await row.locator('th, td').allTextContents();
    expect(cells[0]).toBe(server.seeded.cohort.name);
    expect(cells[1]).toBe(String(LEARNERS));
    // The seed makes one learner stuck on a check and one inactive.
    expect(Number(await row.locator('[data-stuck]').getAttribute('data-stuck'))).toBeGreaterThanOrEqual(2);
    expect(cells[2]).toMatch(/⚠ \d+ stuck/);
    await screenshot(page, 'mentor-cohorts');
  });

  it('shows the cohort heatmap with the stuck learners first, flagged, and why', async () => {
    await Promise.all([page.waitForURL(/\/mentor\/cohort\/\?id=/), page.getByRole('link', { name: server.seeded.cohort.name }).click()]);
    const rows = page.locator('.mentor-heatmap tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(LEARNERS);

    const stuckFlags = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-stuck')));
    const firstOnTrack = stuckFlags.indexOf('false');
    expect(firstOnTrack).toBeGreaterThanOrEqual(2);
    expect(
      stuckFlags.slice(firstOnTrack).every((s) => s === 'false'),
      'every stuck learner comes before the others',
    ).toBe(true);

    const stuck = page.locator(`.mentor-heatmap tr[data-learner="${role('stuck').id}"]`);
    expect(await stuck.getAttribute('data-stuck')).toBe('true');
    expect(await stuck.locator('.mentor-flag').textContent()).toBe('⚠ Stuck');
    const reason = await stuck.locator('[data-reason="repeated-failure"]').textContent();
    expect(reason).toMatch(/^failed check [a-z0-9-]+ of lab .+ \d+ times$/);
    expect(Number(/ (\d+) times$/.exec(reason ?? '')?.[1])).toBeGreaterThanOrEqual(3);

    const inactive = page.locator(`.mentor-heatmap tr[data-learner="${role('inactive').id}"]`);
    expect(await inactive.locator('[data-reason="inactive"]').textContent()).toMatch(/^inactive for \d+ days$/);

    // Every cell says its completion in numbers; the colour step follows it.
    const stageCount = await page.locator('.mentor-heatmap thead th[data-stage]').count();
    expect(stageCount).toBeGreaterThanOrEqual(8);
    const cells = await page.locator('.mentor-heatmap td.mentor-heat').evaluateAll((tds) =>
      tds.map((td) => ({
        completion: Number(td.getAttribute('data-completion')),
        text: td.querySelector('.mentor-heat-value')?.textContent ?? '',
        background: getComputedStyle(td).backgroundColor,
      })),
    );
    expect(cells).toHaveLength(LEARNERS * stageCount);
    for (const c of cells) expect(c.text).toMatch(/^(<1|\d{1,3})%$/);
    const empty = cells.find((c) => c.completion === 0);
    const done = cells.find((c) => c.completion === 1);
    expect(empty, 'some stage is untouched').toBeDefined();
    expect(done, 'some stage is complete').toBeDefined();
    expect(done!.text).toBe('100%');
    expect(done!.background).not.toBe(empty!.background);

    expect(await page.locator('[data-export]').getAttribute('href')).toBe(`/api/mentor/cohorts/${server.seeded.cohort.id}/export.csv`);
    await screenshot(page, 'mentor-cohort');
    await expectNoSeriousViolations(page, 'mentor cohort');
  });

  it('exports the cohort as CSV, one row per learner', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export]').click()]);
    const file = join(server.home, 'export.csv');
    await download.saveAs(file);
    const rows = parseCsv(await readFile(file, 'utf8')).filter((r) => r.some((f) => f !== ''));
    const [header, ...learners] = rows;
    expect(header!.length).toBeGreaterThanOrEqual(5);
    expect(learners).toHaveLength(LEARNERS);
    const nameColumn = header!.findIndex((h) => /name|learner/i.test(h));
    expect(nameColumn).toBeGreaterThanOrEqual(0);
    expect(new Set(learners.map((r) => r[nameColumn]))).toEqual(new Set(server.seeded.learners.map((l) => l.name)));
    expect(learners.every((r) => r.length === header!.length)).toBe(true);
  });

  it('opens the stuck learner’s timeline: a failed check with what was expected and what was found, self-reported', async () => {
    const stuck = role('stuck');
    await Promise.all([page.waitForURL(/\/mentor\/learner\/\?id=/), page.getByRole('link', { name: stuck.name, exact: true }).click()]);
    await page.locator('.mentor-timeline li[data-attempt]').first().waitFor();
    expect(await page.getByRole('heading', { name: stuck.name }).count()).toBe(1);
    expect(await page.locator('.mentor-stuck-box [data-reason="repeated-failure"]').count()).toBe(1);

    const newest = page.locator('.mentor-timeline li[data-attempt]').first();
    expect(await newest.getAttribute('data-status')).toBe('fail');
    expect(await newest.locator('[data-verification]').textContent()).toBe('self-reported');
    const failed = newest.locator('tr[data-state="fail"]').first();
    expect(await failed.isVisible()).toBe(false);
    await newest.locator('summary').click();
    await failed.waitFor();
    expect((await failed.locator('[data-expected]').textContent())?.trim()).not.toBe('—');
    expect((await failed.locator('[data-actual]').textContent())?.trim()).not.toBe('—');
    expect(await failed.locator('td').nth(0).textContent()).toContain('failed');
    // The check it keeps failing is the one the cohort page names.
    const reason = await page.locator('.mentor-stuck-box [data-reason="repeated-failure"]').textContent();
    expect(reason).toContain(`failed check ${await failed.getAttribute('data-check')} of lab`);
    await screenshot(page, 'mentor-learner');
    await expectNoSeriousViolations(page, 'mentor learner timeline');
    // The session check before login and the refused password answer 401, which Chromium logs; nothing else may fail.
    expect(seen.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
  });

  describe('without a session', () => {
    let fresh: BrowserContext;
    let other: Page;

    beforeAll(async () => {
      fresh = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      other = await fresh.newPage();
      other.setDefaultTimeout(20_000);
    });

    afterAll(async () => {
      await fresh?.close();
    });

    it('sends a cohort page to the login form, and back to the cohort after logging in', async () => {
      const target = `/mentor/cohort/?id=${server.seeded.cohort.id}`;
      await other.goto(url(target));
      await other.waitForURL((u) => u.pathname === '/mentor/' && u.searchParams.get('next') === target);
      await hydrated(other);
      await logIn(other, server.seeded.mentor.email, server.seeded.mentor.password);
      await other.waitForURL((u) => u.pathname === '/mentor/cohort/');
      await other.locator('.mentor-heatmap').waitFor();
    });

    it('says when a cohort does not exist or is not the mentor’s', async () => {
      await other.goto(url('/mentor/cohort/?id=00000000-0000-4000-8000-000000000000'));
      const alert = other.locator('[role="alert"]');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('This cohort does not exist, or it is not one of yours.');
      expect(await alert.getByRole('link', { name: 'Your cohorts' }).count()).toBe(1);
    });

    it('creates a cohort and adds a learner from the pages (POSTs with the CSRF token); the token shown once works for sync', async () => {
      await other.goto(url('/mentor/'));
      await other.locator('.mentor-cohorts').waitFor();
      const name = `Spring cohort ${Date.now()}`;
      await other.getByLabel('New cohort', { exact: true }).fill(name);
      await other.getByRole('button', { name: 'Create cohort' }).click();
      const link = other.getByRole('link', { name, exact: true });
      await link.waitFor();
      await Promise.all([other.waitForURL(/\/mentor\/cohort\/\?id=/), link.click()]);
      await other.getByText('No learners in this cohort yet.').waitFor();
      await other.getByLabel('Learner’s name', { exact: true }).fill('Hedy Lamarr');
      await other.getByRole('button', { name: 'Add learner' }).click();
      const token = await other.locator('[data-token]').textContent();
      expect(token).toMatch(/^\S{20,}$/);
      await other.locator('.mentor-heatmap tbody tr').first().waitFor();
      expect(await other.locator('.mentor-heatmap tbody th').allTextContents()).toEqual(['Hedy Lamarr']);
      const me = await fetch(url('/api/sync/me'), { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { learner: { name: string; cohort: { name: string } } }).learner).toMatchObject({
        name: 'Hedy Lamarr',
        cohort: { name },
      });
      // The same POST without the session's CSRF token is refused.
      const cohortId = new URL(other.url()).searchParams.get('id')!;
      const forged = await other.evaluate(
        async (path) =>
          (
            await fetch(path, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ name: 'Mallory' }),
            })
          ).status,
        `/api/mentor/cohorts/${cohortId}/learners`,
      );
      expect(forged).toBe(403);
    });

    it('logs out: the next page load asks for the login again', async () => {
      await other.goto(url('/mentor/'));
      await other.getByRole('button', { name: 'Log out' }).click();
      await other.getByRole('heading', { name: 'Log in' }).waitFor();
      await other.goto(url(`/mentor/cohort/?id=${server.seeded.cohort.id}`));
      await other.waitForURL((u) => u.pathname === '/mentor/');
    });
  });

  it('keeps the cohort and the timeline accessible in the dark theme', async () => {
    const dark = await themedContext(browser, 'dark', { width: 1280, height: 900 });
    try {
      const p = await dark.newPage();
      p.setDefaultTimeout(20_000);
      await p.goto(url(`/mentor/?next=${encodeURIComponent(`/mentor/cohort/?id=${server.seeded.cohort.id}`)}`));
      await hydrated(p);
      await logIn(p, server.seeded.mentor.email, server.seeded.mentor.password);
      await p.locator('.mentor-heatmap').waitFor();
      expect(await p.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
      await screenshot(p, 'dark-mentor-cohort');
      await expectNoSeriousViolations(p, 'mentor cohort, dark');
      await p.getByRole('link', { name: role('stuck').name, exact: true }).click();
      const newest = p.locator('.mentor-timeline li[data-attempt]').first();
      await newest.locator('summary').click();
      await newest.locator('tr[data-state="fail"]').first().waitFor();
      await expectNoSeriousViolations(p, 'mentor learner timeline, dark');
    } finally {
      await dark.close();
    }
  });

  it('a learner’s token reads only that learner’s data', async () => {
    const [a, b] = [role('stuck'), role('on-track')];
    const bearer = (token: string) => ({ authorization: `Bearer ${token}`, accept: 'application/json' });

    const me = await fetch(url('/api/sync/me'), { headers: bearer(a.token) });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { learner: { id: string } }).learner.id).toBe(a.id);

    // Asking for another learner's attempts still answers with the token's own.
    const asked = await fetch(url(`/api/sync/attempts?learner=${encodeURIComponent(b.id)}`), { headers: bearer(a.token) });
    expect(asked.status).toBe(200);
    const attempts = (await asked.json()) as { learnerId: string; attempt: { attemptId: string } }[];
    expect(attempts.length).toBeGreaterThan(0);
    expect(new Set(attempts.map((x) => x.learnerId))).toEqual(new Set([a.id]));

    // The mentor API refuses a learner's token, for another learner and for the cohort.
    for (const path of [
      `/api/mentor/learners/${b.id}/attempts`,
      `/api/mentor/cohorts/${server.seeded.cohort.id}`,
      `/api/mentor/cohorts/${server.seeded.cohort.id}/export.csv`,
    ]) {
      const r = await fetch(url(path), { headers: bearer(a.token) });
      expect(r.status, path).toBe(401);
    }
    // And B's attempts, as the mentor sees them, share nothing with what A's token got.
    const mentorLogin = await fetch(url('/api/mentor/login'), {
      method: 'POST',
      headers: { origin: server.url, 'content-type': 'application/json' },
      body: JSON.stringify({ email: server.seeded.mentor.email, password: server.seeded.mentor.password }),
    });
    expect(mentorLogin.status).toBe(200);
    const cookie = (mentorLogin.headers.get('set-cookie') ?? '').split(';')[0]!;
    const timeline = await fetch(url(`/api/mentor/learners/${b.id}/attempts`), { headers: { cookie, accept: 'application/json' } });
    expect(timeline.status).toBe(200);
    const bIds = new Set(((await timeline.json()) as { attemptId: string }[]).map((x) => x.attemptId));
    expect(bIds.size).toBeGreaterThan(0);
    expect(attempts.filter((x) => bIds.has(x.attempt.attemptId))).toEqual([]);
  });
});

describeWithTools([chromiumGate, siteGate, mentorGate], 'the mentor page on a learner’s own lab server (Chromium)', () => {
  it('says it is not a mentor server instead of offering a login that cannot work', async () => {
    const server = await startSiteServer({ prefix: 'mentor-on-learner' });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(new URL('/mentor/', server.url).href);
      const alert = page.locator('[role="alert"]');
      await alert.waitFor({ timeout: 20_000 });
      expect(await alert.getAttribute('data-error')).toBe('NOT_A_MENTOR_SERVER');
      expect(await alert.textContent()).toContain('MLOPS_LAB_MODE=mentor');
      expect(await page.getByLabel('Password', { exact: true }).count()).toBe(0);
    } finally {
      await browser.close();
      await server.dispose();
    }
  });
});
