/**
 * A new learner's walk through the built site in Chromium, against a real
 * lab server and a real Docker engine:
 *   choose a path (saved) -> roadmap -> Docker stage -> lab 01 -> Start ->
 *   Check (the five starter failures stream in, with expected/found/try) ->
 *   three failed attempts -> reveal the solution with the page's button ->
 *   Check (all pass) -> history, also of an attempt made with the CLI,
 *   arriving without a reload -> dashboard and roadmap say honestly that the
 *   lab was solved with the solution (no credit).
 * Also: an unknown lab URL is a real 404 page, and a server whose Docker is
 * unreachable shows error rows with "Start Docker" guidance.
 * Screenshots of every page type go to site/e2e/screenshots/ (git-ignored).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { cleanupLab, DockerEvidence, findLab, LABEL_WORKSPACE, loadAllLabs, workspaceId } from '@mlops-lab/grader';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTools, probeDocker, probeDockerImage, toolGate } from '../../grader/test-support/tools.ts';
import {
  BASE_IMAGE,
  CLI,
  LAB,
  LAB_PATH,
  STARTER_FAILS,
  launchBrowser,
  probeChromium,
  probeSiteBuilt,
  screenshot,
  startSiteServer,
  watchPage,
  type SiteServer,
} from './helpers.ts';
import { armCheck, checkRows, hydrated, runCheck, waitForAttemptCount, waitForCheckDone } from './lab-page.ts';

/** How many Docker labs the roadmap and dashboard count (all of labs/docker/). */
const DOCKER_LABS = (await loadAllLabs()).filter((l) => l.manifest.stage === 'docker').length;

const chromiumGate = await toolGate('chromium', probeChromium);
const siteGate = await toolGate('the built site (site/dist)', probeSiteBuilt);
const dockerGate = await toolGate('docker', () => probeDocker());
const imageGate = await toolGate(`image ${BASE_IMAGE}`, probeDockerImage(BASE_IMAGE));

const PATH_TITLE = 'From DevOps or SRE';
const LAB_TITLE = 'Containerise a model API';

describeWithTools([chromiumGate, siteGate, dockerGate, imageGate], 'a new learner walks the site (Chromium, real Docker)', () => {
  let server: SiteServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let seen: { errors: string[] };
  let workspaceDir: string | undefined;
  /** innerHTML of the first item of the "not ready" note on the lab page when Docker is unreachable. */
  let readinessFix = '';
  /** The status line after the check of the solved workspace. */
  let solvedSummary: string | undefined;
  const url = (path: string): string => new URL(path, server.url).href;

  beforeAll(async () => {
    server = await startSiteServer();
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    seen = watchPage(page);
  });

  afterAll(async () => {
    try {
      if (workspaceDir) {
        await cleanupLab(await findLab(LAB), workspaceDir, { env: server.env });
        // Nothing labelled with this workspace may remain in the engine.
        const left = await new DockerEvidence(server.env).listLabelled({ [LABEL_WORKSPACE]: workspaceId(workspaceDir) });
        expect(left, 'labelled Docker objects left after cleanupLab').toEqual({ containers: [], images: [] });
      }
    } finally {
      await browser?.close();
      await server?.dispose();
    }
  });

  it('home page: the hero leads to choosing a path', async () => {
    const response = await page.goto(url('/'));
    expect(response?.status()).toBe(200);
    await expect.poll(() => page.locator('h1').first().textContent()).toBe('MLOps Lab');
    await expect.poll(() => page.getByRole('link', { name: 'Choose your path' }).first().isVisible()).toBe(true);
    await screenshot(page, 'home');
  });

  it('chooses a path; a reload shows it checked and marked "your path"', async () => {
    await page.goto(url('/path/'));
    await hydrated(page);
    const save = page.getByRole('button', { name: 'Save my path' });
    expect(await save.isDisabled()).toBe(true);
    await page.getByRole('radio', { name: PATH_TITLE }).check();
    await save.click();
    await page
      .getByRole('status')
      .filter({ hasText: `Saved: ${PATH_TITLE}.` })
      .waitFor();
    expect(await save.isDisabled()).toBe(true);

    await page.reload();
    await hydrated(page);
    const card = page.locator('.path-card', { has: page.getByRole('radio', { name: PATH_TITLE }) });
    await card.locator('.badge', { hasText: 'your path' }).waitFor();
    expect(await card.getAttribute('data-chosen')).toBe('true');
    expect(await page.getByRole('radio', { name: PATH_TITLE }).isChecked()).toBe(true);
    expect(await page.locator('.path-card[data-chosen="true"]').count()).toBe(1);
    await screenshot(page, 'path');
  });

  it('opens Docker lab 01 from the roadmap, through the stage page', async () => {
    await page.goto(url('/roadmap/'));
    const intro = await page.locator('main').textContent();
    expect(intro).toContain('Your path');
    // Priority order, whatever the path; the path marks its emphasis.
    const order = await page.locator('li.roadmap-stage').evaluateAll((items) => items.map((li) => li.getAttribute('data-stage')));
    expect(order).toEqual(['docker', 'kubernetes', 'cicd', 'mlflow', 'dvc', 'serving', 'monitoring', 'iac', 'capstone']);
    const marked = await page.locator('li.roadmap-stage.emphasis').evaluateAll((items) => items.map((li) => li.getAttribute('data-stage')));
    expect(marked).toEqual(['mlflow', 'dvc', 'monitoring']);
    expect(await page.getByRole('link', { name: PATH_TITLE }).count()).toBeGreaterThan(0);
    const docker = page.locator('li.roadmap-stage[data-stage="docker"]');
    expect(await docker.locator('[data-progress="docker"]').textContent()).toBe(`0/${DOCKER_LABS} passed`);
    await screenshot(page, 'roadmap');

    await docker.getByRole('link').first().click();
    await page.waitForURL(url('/stages/docker/'));
    await screenshot(page, 'stage');
    await page.locator('.stage-labs').getByRole('link', { name: LAB_TITLE }).click();
    await page.waitForURL(url(LAB_PATH));
    await expect.poll(() => page.locator('h1').first().textContent()).toBe(LAB_TITLE);
  });

  it('starts the lab, then Check streams the five starter failures in with expected, found and what to try', async () => {
    await hydrated(page);
    await page.getByRole('button', { name: 'Start the lab' }).click();
    await page.locator('.check-workspace').waitFor();
    workspaceDir = (await page.locator('.check-workspace code').first().textContent())!.trim();
    expect(workspaceDir).toBe(join(server.home, 'workspaces', ...LAB.split('/')));
    const check = page.getByRole('button', { name: 'Check', exact: true });
    expect(await check.isEnabled()).toBe(true);
    const before = await checkRows(page);
    expect(Object.keys(before)).toHaveLength(9);
    expect(new Set(Object.values(before))).toEqual(new Set(['idle']));
    await screenshot(page, 'lab-before-check', { tall: true });

    // Snapshot every row's state at each change while the check runs, with the button's label then.
    await page.evaluate(() => {
      const snapshots: { rows: Record<string, string>; button: string }[] = [];
      (window as unknown as { __snapshots: typeof snapshots }).__snapshots = snapshots;
      const list = document.querySelector('.check-list')!;
      new MutationObserver(() => {
        const rows = Object.fromEntries(
          [...list.querySelectorAll<HTMLElement>('[data-check]')].map((el) => [el.dataset.check!, el.dataset.state!]),
        );
        snapshots.push({ rows, button: document.querySelector('.check-button')?.textContent ?? '' });
      }).observe(list, { attributes: true, subtree: true, attributeFilter: ['data-state'] });
    });
    await armCheck(page);
    await check.click();
    const summary = await waitForCheckDone(page, 90_000);
    const rows = await checkRows(page);
    const passing = Object.values(rows).filter((s) => s === 'pass').length;
    expect(summary).toBe(`${passing} of 9 checks pass.`);
    for (const id of STARTER_FAILS) expect(rows[id], id).toBe('fail');
    expect(rows['dockerfile-exists']).toBe('pass');
    expect(rows['image-builds']).toBe('pass');

    // Streamed, not shown at the end: a failure was on screen while later checks were still running or waiting,
    // and the slow build showed "running".
    const snapshots = await page.evaluate(
      () => (window as unknown as { __snapshots: { rows: Record<string, string>; button: string }[] }).__snapshots,
    );
    const midway = snapshots.find((snap) => {
      const states = Object.values(snap.rows);
      return states.includes('fail') && states.some((x) => x === 'running' || x === 'idle');
    });
    expect(midway, JSON.stringify(snapshots.map((x) => x.rows))).toBeDefined();
    expect(midway?.button).toBe('Checking…');
    expect(snapshots.some((snap) => snap.rows['image-builds'] === 'running')).toBe(true);

    for (const id of STARTER_FAILS) {
      const row = page.locator(`[data-check="${id}"]`);
      expect(await row.locator('.check-badge').textContent()).toBe('failed');
      const keys = await row.locator('.check-key').allTextContents();
      expect(keys, id).toContain('Try');
      const details = (await row.locator('.check-details').textContent()) ?? '';
      expect(details.length, id).toBeGreaterThan(40);
    }
    // The secrets check says what it expected and what it found (the value masked).
    const secrets = page.locator('[data-check="no-secrets-in-env"]');
    expect(await secrets.locator('.check-key').allTextContents()).toEqual(['Expected', 'Found', 'Try']);
    expect(await secrets.locator('.check-actual').textContent()).toContain('MODEL_API_KEY');
    expect(await secrets.locator('.check-actual').textContent()).not.toContain('changeme-4f9a2c7e1b');
    await screenshot(page, 'lab-after-check', { tall: true });
    await waitForAttemptCount(page, 1);
  }, 120_000);

  it('after three failed attempts the page offers the solution; revealing it and checking again passes every check', async () => {
    const stuck = page.getByRole('button', { name: 'Stuck? Reveal the solution…' });
    for (const n of [2, 3]) {
      expect(await stuck.count(), `no reveal offer after ${n - 1} failed attempt(s)`).toBe(0);
      await runCheck(page, 60_000);
      await waitForAttemptCount(page, n);
    }
    await stuck.waitFor();
    await stuck.click();
    expect(await page.locator('.check-reveal').textContent()).toContain('solved with the solution, not passed by you');
    await page.getByRole('button', { name: 'Reveal the solution', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'The reference solution is in your workspace.' }).waitFor({ timeout: 120_000 });
    await page.locator('.check-note', { hasText: 'The reference solution has been applied to this workspace' }).waitFor();
    expect(await stuck.count()).toBe(0);

    solvedSummary = await runCheck(page, 90_000);
    expect(solvedSummary).toMatch(/^9 of 9 checks pass\b/);
    const rows = await checkRows(page);
    expect(Object.keys(rows)).toHaveLength(9);
    for (const [id, state] of Object.entries(rows)) expect(state, id).toBe('pass');
    await waitForAttemptCount(page, 4);
    await screenshot(page, 'lab-after-solution', { tall: true });
  }, 180_000);

  it('the status line does not congratulate a pass made with the revealed solution', () => {
    expect(solvedSummary, 'the solved check did not run').toBeDefined();
    expect(solvedSummary).not.toContain('well done');
    expect(solvedSummary).toMatch(/solution/);
  });

  it('the attempt history lists every attempt, and one made with the CLI appears without a reload', async () => {
    const history = page.locator('details.check-history');
    await history.locator('summary').click();
    const items = history.locator('li');
    const texts = await items.allTextContents();
    expect(texts).toHaveLength(4);
    expect(texts[0]).toMatch(/— pass \(with the solution\), 9\/9 checks pass, from this page$/);
    for (const t of texts.slice(1)) expect(t).toMatch(/— fail, \d\/9 checks pass, from this page$/);

    const cli = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        [CLI, 'check', LAB, '--json'],
        { env: server.env, timeout: 60_000, maxBuffer: 8 << 20 },
        (error, stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(cli.code, cli.stderr).toBe(0);
    const result = JSON.parse(cli.stdout) as { status: string; credit: string; source: string; learner: string };
    expect(result).toMatchObject({ status: 'pass', credit: 'solution', source: 'cli', learner: server.learner });

    // No reload: the page hears about it on /api/stream.
    await waitForAttemptCount(page, 5, 15_000);
    expect(await items.first().textContent()).toMatch(/— pass \(with the solution\), 9\/9 checks pass, from the CLI$/);
    await screenshot(page, 'lab-history', { tall: true });
  }, 90_000);

  it('the dashboard and the roadmap are honest: solved with the revealed solution, no credit', async () => {
    await page.goto(url('/dashboard/'));
    const main = page.locator('main');
    expect(await main.textContent()).toContain(`Progress of ${server.learner}, derived from 5 graded attempts`);
    const lab = main.locator('li', { has: page.getByRole('link', { name: LAB_TITLE }) });
    expect((await lab.textContent())?.replace(/\s+/g, ' ')).toBe(`${LAB_TITLE}: solved with the revealed solution (no credit), 5 attempts`);
    const dockerRow = main.locator('tr[data-stage="docker"]');
    expect((await dockerRow.locator('td').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual([`0 / ${DOCKER_LABS}`, '0%']);
    const recent = main.locator('#recent ~ table tbody tr');
    expect(await recent.count()).toBe(5);
    expect(await recent.first().locator('td').nth(2).textContent()).toBe('pass (solution)');
    await screenshot(page, 'dashboard');

    await page.goto(url('/roadmap/'));
    const docker = page.locator('li.roadmap-stage[data-stage="docker"]');
    expect(await docker.locator('[data-progress="docker"]').textContent()).toBe(`0/${DOCKER_LABS} passed`);
    expect(await docker.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('0');
  });

  it('a guide is a plain Starlight page', async () => {
    const response = await page.goto(url('/guides/first-90-days/'));
    expect(response?.status()).toBe(200);
    expect(await page.locator('h1').first().textContent()).toBeTruthy();
    expect(await page.locator('.sl-markdown-content').count()).toBe(1);
    await screenshot(page, 'guide');
  });

  it('an unknown lab URL answers 404 with a page that says so', async () => {
    const response = await page.goto(url('/labs/docker/99-nope/'));
    expect(response?.status()).toBe(404);
    expect(response?.headers()['content-type']).toContain('text/html');
    expect(await page.locator('h1').first().textContent()).toBe('404');
    expect(await page.locator('main').textContent()).toContain('Page not found');
    await screenshot(page, '404');
  });

  it('with Docker unreachable the check panel shows error rows with "Start Docker" guidance, not a blank panel', async () => {
    const broken = await startSiteServer({
      env: { DOCKER_HOST: `unix://${join(server.home, 'no-docker.sock')}` },
      processEnv: false,
      prefix: 'e2e-nodocker',
    });
    const other = await context.newPage();
    try {
      await other.goto(new URL(LAB_PATH, broken.url).href);
      await hydrated(other);
      const note = other.getByRole('note');
      await note.waitFor();
      expect(await note.textContent()).toContain('Your machine is not ready for this lab yet.');
      expect(await note.textContent()).toContain('Start Docker');
      readinessFix = (await note.locator('li').first().innerHTML()) ?? '';
      await other.getByRole('button', { name: 'Start the lab' }).click();
      await other.locator('.check-workspace').waitFor();
      const summary = await runCheck(other, 30_000);
      expect(summary).toMatch(/^\d of 9 checks pass\.$/);
      const rows = await checkRows(other);
      expect(rows['image-builds']).toBe('error');
      const error = other.locator('[data-check="image-builds"]');
      expect(await error.locator('.check-badge').textContent()).toBe('error');
      expect(await error.locator('.check-details').textContent()).toContain('Docker is not reachable');
      expect(await error.locator('.check-details').textContent()).toMatch(/Try\s*Start Docker/);
      // What needed the image is skipped and says why.
      for (const id of ['image-runs-as-non-root', 'image-has-healthcheck', 'final-image-under-size-budget']) {
        expect(rows[id], id).toBe('skip');
        expect(await other.locator(`[data-check="${id}"] .check-details`).textContent()).toContain('image-builds');
      }
      expect(Object.values(rows)).not.toContain('idle');
      await screenshot(other, 'lab-docker-unreachable', { tall: true });
    } finally {
      await other.close();
      await broken.dispose();
    }
  });

  it('the readiness note shows its fix like the check rows do: `code` spans as code, no raw backticks', () => {
    // The "Try" hint of a check row goes through <Text> (backtick spans become <code>); the readiness
    // note's fix is put whole into one <code>, so the learner sees literal backticks.
    expect(readinessFix, 'the "not ready" note was not seen').not.toBe('');
    expect(readinessFix).not.toContain('`');
    expect(readinessFix).toContain('<code>sudo systemctl start docker</code>');
  });

  it('the pages raised no script errors', () => {
    // 404 answers are expected (the unknown lab page); everything else is a bug.
    expect(seen.errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });
});
