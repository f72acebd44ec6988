/**
 * Shared by the browser tests (site/e2e/*.test.ts) and the page bench
 * (site/bench/pages.ts): the Chromium and built-site probes, a browser
 * launch that never downloads anything, and a lab server on a free port
 * with its own data folder and learner.
 *
 * The lab server takes the engine's environment as an option, but the
 * pages Astro renders per request (roadmap, dashboard) read `process.env`
 * (site/src/lib/learner.ts and settings.ts call currentLearner() and
 * storeFile() without an env). So `startSiteServer` also puts the
 * learner's MLOPS_LAB_HOME and MLOPS_LAB_LEARNER into process.env while the
 * server runs, and `close()` restores them.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createLabServer, type LabServer } from '../server/server.ts';
import type { Logger } from '../server/log.ts';

export const SITE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(SITE_DIR, '..');
export const SCREENSHOT_DIR = join(SITE_DIR, 'e2e', 'screenshots');
export const CLI = join(REPO_ROOT, 'grader', 'bin', 'mlops-lab.js');
export const LAB = 'docker/01-containerise-model-api';
export const LAB_PATH = `/labs/${LAB}/`;
export const BASE_IMAGE = 'python:3.11-slim-bookworm';

/** Debian's Chromium, or PLAYWRIGHT_CHROMIUM. Never a downloaded browser. */
export const CHROMIUM = process.env.PLAYWRIGHT_CHROMIUM?.trim() || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The five checks the starter fails (the lab's contract.starterFails). */
export const STARTER_FAILS = [
  'no-secrets-in-env',
  'dockerfile-is-multi-stage',
  'image-runs-as-non-root',
  'image-has-healthcheck',
  'final-image-under-size-budget',
] as const;

/** The shape of grader/test-support/tools.ts ProbeResult (kept structural so the bench needs no vitest). */
export interface Probe {
  available: boolean;
  reason?: string;
  hint?: string;
  detail?: string;
}

/** Chromium runs `--version` within 10 s. */
export function probeChromium(): Promise<Probe> {
  return new Promise((done) => {
    execFile(CHROMIUM, ['--version'], { timeout: 10_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      const version = stdout.trim();
      if (!error && version) {
        done({ available: true, detail: `${version} (${CHROMIUM})` });
        return;
      }
      const err = error as (NodeJS.ErrnoException & { killed?: boolean }) | null;
      const reason =
        err?.code === 'ENOENT'
          ? `${CHROMIUM} does not exist`
          : err?.killed
            ? `\`${CHROMIUM} --version\` did not answer within 10 s`
            : `\`${CHROMIUM} --version\` failed: ${(stderr || err?.message || 'no output').trim().split('\n').at(-1)}`;
      done({
        available: false,
        reason,
        hint: 'install Debian’s Chromium (`apt-get install chromium`) or set PLAYWRIGHT_CHROMIUM to a Chromium binary; the tests never download a browser',
      });
    });
  });
}

/** Chromium offers WebGL 2 with WEBGL_lose_context (headless with --disable-gpu: SwiftShader), so the terminal's WebGL renderer and its fallback can be tested. */
export async function probeWebgl(): Promise<Probe> {
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const page = await browser.newPage();
    const found = await page.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      if (!gl) return 'no WebGL 2 context';
      return gl.getExtension('WEBGL_lose_context') ? 'ok' : 'no WEBGL_lose_context extension';
    });
    return found === 'ok'
      ? { available: true, detail: 'WebGL 2 with WEBGL_lose_context' }
      : { available: false, reason: `Chromium here has ${found}`, hint: 'a Chromium build with SwiftShader (Debian’s has it) or a GPU' };
  } catch (error) {
    return { available: false, reason: `Chromium did not start: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    await browser?.close();
  }
}

/** The site was built: the server has pages to serve. */
export function probeSiteBuilt(): Probe {
  const entry = join(SITE_DIR, 'dist', 'server', 'entry.mjs');
  if (existsSync(entry) && existsSync(join(SITE_DIR, 'dist', 'client'))) return { available: true, detail: entry };
  return {
    available: false,
    reason: `${entry} does not exist (the site is not built)`,
    hint: 'run `npm run build` in the repository root',
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A logger that keeps the server's lines (printed only when a test wants them). */
export function quietLogger(into: string[] = []): Logger & { lines: string[] } {
  const keep =
    (level: string) =>
    (msg: string, fields: object = {}): void => {
      into.push(`${level} ${msg} ${JSON.stringify(fields)}`);
    };
  return { info: keep('info'), warn: keep('warn'), error: keep('error'), lines: into };
}

export interface SiteServer extends LabServer {
  home: string;
  learner: string;
  env: NodeJS.ProcessEnv;
  logs: string[];
  /** Closes the server, restores process.env and removes the data folder. */
  dispose(): Promise<void>;
}

export interface SiteServerOptions {
  /** Extra environment for the engine (e.g. a DOCKER_HOST). */
  env?: NodeJS.ProcessEnv;
  /**
   * Also set MLOPS_LAB_HOME / MLOPS_LAB_LEARNER in process.env (restored by
   * dispose), for the pages Astro renders per request. Default true.
   */
  processEnv?: boolean;
  /** Learner name prefix. Default `e2e`. */
  prefix?: string;
}

const PROCESS_ENV_KEYS = ['MLOPS_LAB_HOME', 'MLOPS_LAB_LEARNER'] as const;

/** A lab server serving the built site, with a fresh data folder and a new learner. */
export async function startSiteServer(options: SiteServerOptions = {}): Promise<SiteServer> {
  const home = await mkdtemp(join(tmpdir(), 'mlops-lab-e2e-'));
  await mkdir(home, { recursive: true });
  const learner = `${options.prefix ?? 'e2e'}-${randomBytes(4).toString('hex')}`;
  const env: NodeJS.ProcessEnv = { ...process.env, MLOPS_LAB_HOME: home, MLOPS_LAB_LEARNER: learner, NO_COLOR: '1', ...options.env };
  delete env.MLOPS_LAB_LABS_DIR;
  delete env.FORCE_COLOR;
  const saved = new Map(PROCESS_ENV_KEYS.map((k) => [k, process.env[k]]));
  const setProcessEnv = options.processEnv !== false;
  if (setProcessEnv) {
    process.env.MLOPS_LAB_HOME = home;
    process.env.MLOPS_LAB_LEARNER = learner;
  }
  const logger = quietLogger();
  let server: LabServer;
  try {
    server = await createLabServer({ port: 0, env, siteDir: SITE_DIR, log: logger });
  } catch (error) {
    if (setProcessEnv) restoreEnv(saved);
    await rm(home, { recursive: true, force: true });
    throw error;
  }
  return {
    ...server,
    home,
    learner,
    env,
    logs: logger.lines,
    async dispose() {
      await server.close();
      if (setProcessEnv) restoreEnv(saved);
      await rm(home, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

function restoreEnv(saved: Map<string, string | undefined>): void {
  for (const [k, v] of saved) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

/** A same-origin JSON request made by the page itself (what the UI's own fetches look like to the server). */
export async function pageFetch(page: Page, path: string, method = 'GET', body?: unknown): Promise<{ status: number; json: unknown }> {
  return page.evaluate(
    async ({ path, method, body }) => {
      const init: RequestInit = { method, headers: { accept: 'application/json' } };
      if (method !== 'GET') {
        init.headers = { accept: 'application/json', 'content-type': 'application/json' };
        init.body = JSON.stringify(body ?? {});
      }
      const response = await fetch(path, init);
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { status: response.status, json };
    },
    { path, method, body },
  );
}

/**
 * Saves a screenshot as site/e2e/screenshots/<name>.png and returns the path:
 * the full page from the top, or with `tall`, a 2400 px high viewport (the lab
 * page's check panel is a sticky column as high as the viewport, so a
 * full-page shot would cut it off).
 */
export async function screenshot(page: Page, name: string, options: { tall?: boolean } = {}): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.evaluate(() => window.scrollTo(0, 0));
  if (options.tall) {
    const viewport = page.viewportSize();
    await page.setViewportSize({ width: viewport?.width ?? 1280, height: 2400 });
    try {
      await page.screenshot({ path });
    } finally {
      if (viewport) await page.setViewportSize(viewport);
    }
  } else {
    await page.screenshot({ path, fullPage: true });
  }
  return path;
}

/** A fresh context with the Starlight theme set before any page script runs. */
export async function themedContext(
  browser: Browser,
  theme: 'light' | 'dark',
  viewport = { width: 1280, height: 900 },
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, colorScheme: theme });
  await context.addInitScript((t) => {
    try {
      localStorage.setItem('starlight-theme', t);
    } catch {
      // about:blank has no storage
    }
  }, theme);
  return context;
}

/** Collects console errors and failed responses of a page, for assertions and diagnostics. */
export function watchPage(page: Page): { errors: string[] } {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return { errors };
}

/** The mentor side is there: its admin CLI (for `seed`) and its API modules. */
export function probeMentorMode(): Probe {
  const needed = [join(SITE_DIR, 'server', 'mentor', 'cli.ts'), join(SITE_DIR, 'server', 'mentor', 'api', 'index.ts')];
  const missing = needed.filter((f) => !existsSync(f));
  if (missing.length === 0) return { available: true, detail: 'site/server/mentor (cli.ts, api/)' };
  return {
    available: false,
    reason: `${missing.join(', ')} missing (mentor mode is not built yet)`,
    hint: 'see site/server/mentor/CONTRACT.md',
  };
}

/** What `npm run mentor -- seed --json` prints. */
export interface SeededCohort {
  cohort: { id: string; name: string };
  mentor: { id: string; email: string; password: string };
  learners: { id: string; name: string; role: 'on-track' | 'stuck' | 'inactive'; token: string }[];
  attempts: number;
}

export interface MentorSiteServer extends LabServer {
  home: string;
  /** The mentor store file (lowdb). */
  storeFile: string;
  seeded: SeededCohort;
  logs: string[];
  /** Closes the server and removes the data folder. */
  dispose(): Promise<void>;
}

/**
 * A lab server in mentor mode serving the built site, over a fresh lowdb
 * mentor store that the real admin CLI seeded first (`npm run mentor --
 * seed`, run as `node site/server/mentor/cli.ts seed … --json`).
 */
export async function startMentorSiteServer(options: { learners?: number; seed?: string } = {}): Promise<MentorSiteServer> {
  const home = await mkdtemp(join(tmpdir(), 'mlops-lab-e2e-mentor-'));
  const storeFile = join(home, 'mentor.json');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MLOPS_LAB_HOME: home,
    MLOPS_LAB_MENTOR_STORE: storeFile,
    MLOPS_LAB_MODE: 'mentor',
    NO_COLOR: '1',
  };
  delete env.MLOPS_LAB_LABS_DIR;
  delete env.FORCE_COLOR;
  try {
    const args = ['seed', '--learners', String(options.learners ?? 12), '--seed', options.seed ?? 'e2e', '--json', '--store', storeFile];
    const stdout = await new Promise<string>((done, fail) => {
      execFile(
        process.execPath,
        [join(SITE_DIR, 'server', 'mentor', 'cli.ts'), ...args],
        { env, timeout: 120_000, encoding: 'utf8' },
        (error, out, err) => (error ? fail(new Error(`mentor seed failed: ${error.message}\n${err}`)) : done(out)),
      );
    });
    const seeded = JSON.parse(stdout) as SeededCohort;
    const logger = quietLogger();
    const server = await createLabServer({ port: 0, env, siteDir: SITE_DIR, log: logger, mode: 'mentor' });
    return {
      ...server,
      home,
      storeFile,
      seeded,
      logs: logger.lines,
      async dispose() {
        await server.close();
        await rm(home, { recursive: true, force: true, maxRetries: 3 });
      },
    };
  } catch (error) {
    await rm(home, { recursive: true, force: true });
    throw error;
  }
}
