/**
 * node site/bench/pages.ts [--runs N] [--write]
 *
 * Page budgets of the built site, measured in Chromium against the real lab
 * server (createLabServer serving site/dist, a fresh MLOPS_LAB_HOME and
 * learner):
 *   - JavaScript shipped per page type: every response Chromium fetched as a
 *     script during a cold load (fresh context, no cache) until the network
 *     is idle, summed; raw bytes and gzip bytes (zlib level 6, the bodies
 *     gzipped here: the lab server sends them uncompressed), plus the inline
 *     <script> code in the HTML, counted apart;
 *   - largest contentful paint of the lab page and of a plain Starlight guide
 *     page (the anchor): median of N cold loads each in a fresh context, read
 *     with a buffered PerformanceObserver('largest-contentful-paint').
 * Prints a table; --write replaces the section between
 * <!-- bench:site:start --> and <!-- bench:site:end --> in BENCHMARKS.md
 * (appended when missing; other sections are left alone).
 * Exit codes: 0 done, 1 a measurement failed, 2 usage, 3 Chromium or the built site missing.
 */
import { readFile } from 'node:fs/promises';
import { cpus, release, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import {
  CHROMIUM,
  LAB_PATH,
  launchBrowser,
  probeChromium,
  probeSiteBuilt,
  startSiteServer,
  type SiteServer,
} from '../e2e/helpers.ts';
import { BENCHMARKS_FILE, BenchExit, errorText, parseRuns, runBench, sectionMarkers, writeBenchmarkSection } from '../../grader/bench/benchmarks-file.ts';

const { start: SECTION_START, end: SECTION_END } = sectionMarkers('site');
const MIN_RUNS_FOR_WRITE = 10;
const GZIP_LEVEL = 6;
const VIEWPORT = { width: 1280, height: 900 };

/** The page types, the guide first: it is the anchor the others are compared with. */
const PAGES = [
  { name: 'guide (plain Starlight page, anchor)', short: 'guide', path: '/guides/first-90-days/' },
  { name: 'home', short: 'home', path: '/' },
  { name: 'stage', short: 'stage', path: '/stages/docker/' },
  { name: 'lab', short: 'lab', path: LAB_PATH },
  { name: 'path', short: 'path', path: '/path/' },
  { name: 'roadmap', short: 'roadmap', path: '/roadmap/' },
  { name: 'dashboard', short: 'dashboard', path: '/dashboard/' },
] as const;
const LCP_PAGES = [PAGES[3], PAGES[0]];

interface ScriptFile {
  url: string;
  raw: number;
  gzip: number;
}

interface JsFigures {
  page: (typeof PAGES)[number];
  scripts: ScriptFile[];
  raw: number;
  gzip: number;
  inlineRaw: number;
  inlineGzip: number;
}

interface LcpSample {
  ms: number;
  /** First contentful paint of the same load, for context. */
  fcp: number;
  /** Bytes of the HTML document. */
  html: number;
  element: string;
}

interface LcpFigures {
  page: (typeof PAGES)[number];
  samples: LcpSample[];
  median: number;
  p90: number;
  min: number;
  max: number;
  /** Median first contentful paint. */
  fcp: number;
  /** HTML document size in bytes (uncompressed). */
  html: number;
  element: string;
}

async function main(): Promise<number> {
  let values: { runs?: string; write?: boolean; help?: boolean; verbose?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        runs: { type: 'string', default: '15' },
        write: { type: 'boolean', default: false },
        verbose: { type: 'boolean', short: 'v', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`${errorText(error)}\nUsage: node site/bench/pages.ts [--runs N] [--write] [--verbose]\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(
      'Usage: node site/bench/pages.ts [--runs N] [--write] [--verbose]\n' +
        '  --runs N    cold loads per page for the LCP median (default 15, at least 10 with --write)\n' +
        '  --write     update the site section of BENCHMARKS.md\n' +
        '  --verbose   list every script file\n',
    );
    return 0;
  }
  const runs = parseRuns(values.runs, Boolean(values.write), MIN_RUNS_FOR_WRITE);

  const chromium = await probeChromium();
  if (!chromium.available) throw new BenchExit(3, `Chromium is not usable: ${chromium.reason}; ${chromium.hint}.`);
  const site = probeSiteBuilt();
  if (!site.available) throw new BenchExit(3, `${site.reason}; ${site.hint}.`);

  const server = await startSiteServer({ prefix: 'bench' });
  const browser = await launchBrowser();
  try {
    log(`lab server ${server.url}, ${chromium.detail}`);
    // One unmeasured load of each page: the server renders its per-request pages once and loads the lab catalogue.
    for (const p of PAGES) await coldLoad(browser, server, p.path, async () => undefined);
    const js: JsFigures[] = [];
    for (const p of PAGES) {
      js.push(await measureJs(browser, server, p));
      log(`JS ${p.short}: ${kb(js.at(-1)!.gzip)} gzip in ${js.at(-1)!.scripts.length} files`);
    }
    const lcp: LcpFigures[] = [];
    for (const p of LCP_PAGES) lcp.push({ page: p, samples: [], median: 0, p90: 0, min: 0, max: 0, fcp: 0, html: 0, element: '' });
    // Interleaved, so machine noise reaches both pages alike.
    for (let i = 0; i < runs; i++) {
      for (const figures of i % 2 === 0 ? lcp : [...lcp].reverse())
        figures.samples.push(await measureLcp(browser, server, figures.page.path));
      log(`LCP run ${i + 1}/${runs}: ${lcp.map((f) => `${f.page.short} ${ms(f.samples.at(-1)!.ms)}`).join(' · ')}`);
    }
    for (const f of lcp) Object.assign(f, summarise(f.samples));

    const machine = await describeMachine(browser);
    const report = render(js, lcp, runs, machine, Boolean(values.verbose));
    process.stdout.write(`\n${report.text}\n`);
    if (values.write) {
      await writeBenchmarkSection('site', report.markdown, log);
      process.stdout.write(`\nUpdated ${BENCHMARKS_FILE}.\n`);
    }
    return 0;
  } finally {
    await browser.close();
    await server.dispose();
  }
}

/** Loads `path` in a fresh context (empty cache), runs `during` with the page, closes the context. */
async function coldLoad<T>(
  browser: Browser,
  server: SiteServer,
  path: string,
  during: (page: Page) => Promise<T>,
  before?: (page: Page) => void,
): Promise<T> {
  const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light' });
  try {
    const page = await context.newPage();
    before?.(page);
    const response = await page.goto(new URL(path, server.url).href, { waitUntil: 'load' });
    if (!response || response.status() !== 200) throw new BenchExit(1, `${path} answered ${response?.status()}`);
    return await during(page);
  } finally {
    await context.close();
  }
}

async function measureJs(browser: Browser, server: SiteServer, p: (typeof PAGES)[number]): Promise<JsFigures> {
  const bodies = new Map<string, Promise<Buffer | undefined>>();
  const inline = await coldLoad(
    browser,
    server,
    p.path,
    async (page) => {
      await page.waitForLoadState('networkidle');
      return page.evaluate(() =>
        [...document.querySelectorAll('script:not([src])')]
          .filter((s) => !s.getAttribute('type') || /module|javascript/.test(s.getAttribute('type')!))
          .map((s) => s.textContent ?? '')
          .join('\n'),
      );
    },
    (page) =>
      page.on('response', (response) => {
        if (response.request().resourceType() !== 'script' || bodies.has(response.url())) return;
        bodies.set(
          response.url(),
          response.body().catch(() => undefined),
        );
      }),
  );
  const scripts: ScriptFile[] = [];
  for (const [url, body] of bodies) {
    const buffer = await body;
    if (!buffer) throw new BenchExit(1, `could not read the body of ${url}`);
    scripts.push({ url: new URL(url).pathname, raw: buffer.length, gzip: gzipSync(buffer, { level: GZIP_LEVEL }).length });
  }
  scripts.sort((a, b) => b.gzip - a.gzip);
  const inlineBuffer = Buffer.from(inline, 'utf8');
  return {
    page: p,
    scripts,
    raw: scripts.reduce((s, f) => s + f.raw, 0),
    gzip: scripts.reduce((s, f) => s + f.gzip, 0),
    inlineRaw: inlineBuffer.length,
    inlineGzip: inlineBuffer.length ? gzipSync(inlineBuffer, { level: GZIP_LEVEL }).length : 0,
  };
}

/** One cold load; the last LCP candidate once the page is loaded, the network idle and 500 ms more have passed. */
async function measureLcp(browser: Browser, server: SiteServer, path: string): Promise<LcpSample> {
  return coldLoad(browser, server, path, async (page) => {
    await page.waitForLoadState('networkidle');
    const sample = await page.evaluate(
      () =>
        new Promise<LcpSample | undefined>((resolve) => {
          let last: (PerformanceEntry & { element?: Element | null }) | undefined;
          new PerformanceObserver((list) => {
            const entries = list.getEntries();
            last = entries[entries.length - 1];
          }).observe({ type: 'largest-contentful-paint', buffered: true });
          setTimeout(() => {
            if (!last) return resolve(undefined);
            const el = last.element;
            const text = (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
            const name = el
              ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} “${text.length > 40 ? `${text.slice(0, 40)}…` : text}”`
              : '(removed)';
            const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN;
            const nav = performance.getEntriesByType('navigation')[0] as PerformanceResourceTiming | undefined;
            resolve({ ms: last.startTime, fcp, html: nav?.decodedBodySize ?? NaN, element: name });
          }, 500);
        }),
    );
    if (!sample) throw new BenchExit(1, `no largest-contentful-paint entry for ${path}`);
    return sample;
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function summarise(samples: LcpSample[]): Omit<LcpFigures, 'page' | 'samples'> {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const counts = new Map<string, number>();
  for (const s of samples) counts.set(s.element, (counts.get(s.element) ?? 0) + 1);
  const element = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  return {
    median: median(sorted),
    p90: sorted[Math.ceil(sorted.length * 0.9) - 1]!,
    min: sorted[0]!,
    max: sorted.at(-1)!,
    fcp: median(samples.map((s) => s.fcp)),
    html: samples[0]!.html,
    element,
  };
}

interface Machine {
  date: string;
  cpu: string;
  nproc: number;
  memory: string;
  os: string;
  node: string;
  chromium: string;
}

async function describeMachine(browser: Browser): Promise<Machine> {
  const osRelease = await readFile('/etc/os-release', 'utf8').catch(() => '');
  const cpu = cpus()[0]?.model.trim() ?? 'unknown';
  return {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    cpu,
    nproc: cpus().length,
    memory: `${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    os: `${/^PRETTY_NAME="?([^"\n]+)"?$/m.exec(osRelease)?.[1] ?? 'unknown'}, Linux ${release()}`,
    node: process.version,
    chromium: `${browser.version()} (${CHROMIUM}, headless)`,
  };
}

function render(js: JsFigures[], lcp: LcpFigures[], runs: number, machine: Machine, verbose: boolean): { text: string; markdown: string } {
  const anchor = js[0]!;
  const jsHeader = ['page', 'path', 'script files', 'JS raw', 'JS gzip', 'vs guide (gzip)', 'inline JS (gzip)'];
  const jsRows = js.map((f) => [
    f.page.name,
    f.page.path,
    String(f.scripts.length),
    kb(f.raw),
    kb(f.gzip),
    f === anchor ? '—' : `${f.gzip >= anchor.gzip ? '+' : '−'}${kb(Math.abs(f.gzip - anchor.gzip))}`,
    kb(f.inlineGzip),
  ]);
  const guideLcp = lcp.find((f) => f.page.short === 'guide')!;
  const lcpHeader = ['page', 'LCP median', 'p90', 'min', 'max', 'vs guide (median)', 'FCP median', 'HTML', 'LCP element (most runs)'];
  const lcpRows = lcp.map((f) => [
    f.page.name,
    ms(f.median),
    ms(f.p90),
    ms(f.min),
    ms(f.max),
    f === guideLcp ? '—' : `${f.median >= guideLcp.median ? '+' : '−'}${ms(Math.abs(f.median - guideLcp.median))}`,
    ms(f.fcp),
    kb(f.html),
    f.element,
  ]);
  const largest = js.find((f) => f.page.short === 'lab')!.scripts.slice(0, 6);
  const fileHeader = ['script (lab page)', 'raw', 'gzip'];
  const fileRows = largest.map((s) => [s.url, kb(s.raw), kb(s.gzip)]);

  const textParts = [
    `JavaScript shipped per page (cold load, script responses; gzip = zlib level ${GZIP_LEVEL} of the bodies):`,
    textTable(jsHeader, jsRows),
    '',
    `Largest contentful paint, ${runs} cold loads each (fresh context, ${VIEWPORT.width}×${VIEWPORT.height}, no throttling):`,
    textTable(lcpHeader, lcpRows),
    '',
    textTable(fileHeader, fileRows),
  ];
  if (verbose) {
    for (const f of js) textParts.push('', `${f.page.name}:`, ...f.scripts.map((s) => `  ${kb(s.gzip).padStart(9)}  ${s.url}`));
  }
  const text = textParts.join('\n');

  const markdown = [
    SECTION_START,
    '',
    '## Site pages: JavaScript shipped and largest contentful paint',
    '',
    'Written by [`site/bench/pages.ts`](site/bench/pages.ts). The built site (`npm run build`, `site/dist`) is served by the lab server (`createLabServer`, a fresh `MLOPS_LAB_HOME` and learner, so the lab page shows “Start the lab” and the dashboard has no attempts) and loaded in headless Chromium through `playwright-core`.',
    '',
    `- **JavaScript shipped**: every response Chromium fetched with resource type \`script\` during one cold load (a fresh browser context, so no cache) until the network was idle, summed. The lab server sends these files uncompressed, so the transferred size is the raw size; the gzip column is what they would weigh compressed: each body gzipped by the bench with zlib level ${GZIP_LEVEL}. Scripts written inline in the HTML (Starlight’s theme and search-shortcut snippets) are not responses; they are counted apart (gzip of their code). Starlight’s search UI (Pagefind’s \`ui-core\` chunk) is imported once the page is idle, so it is counted on every page; the Pagefind index and its WebAssembly load only when a search runs and are not.`,
    `- **Largest contentful paint**: the last \`largest-contentful-paint\` entry (a buffered \`PerformanceObserver\` read in the page once it has loaded, the network is idle and 500 ms more have passed) of ${runs} cold loads per page, each in a fresh context, the two pages interleaved; viewport ${VIEWPORT.width}×${VIEWPORT.height}, no CPU or network throttling, the server on loopback. Each page was loaded once before measuring (unmeasured).`,
    '- The guide (`/guides/first-90-days/`) is a plain Starlight page: it is the anchor the others are compared with.',
    '',
    '### Reproduce',
    '',
    '```bash',
    'npm run build',
    'node site/bench/pages.ts                       # table on stdout (15 loads per page for LCP)',
    'node site/bench/pages.ts --runs 20 --write     # and update this section',
    '```',
    '',
    'Needs Chromium (`/usr/bin/chromium`, or `PLAYWRIGHT_CHROMIUM`; no browser is downloaded) and a built site; exits 3 without them.',
    '',
    `### Machine (measured ${machine.date})`,
    '',
    mdTable(
      ['what', 'value'],
      [
        ['CPU', `${machine.cpu}, ${machine.nproc} logical CPUs`],
        ['memory', machine.memory],
        ['OS, kernel', machine.os],
        ['Node', machine.node],
        ['browser', machine.chromium],
      ],
      [0, 1],
    ),
    '',
    '### JavaScript shipped per page type',
    '',
    mdTable(
      jsHeader,
      jsRows.map((r) => [r[0]!, `\`${r[1]}\``, ...r.slice(2)]),
      [0, 1],
    ),
    '',
    extraNote(js, 'lab'),
    '',
    extraNote(js, 'path'),
    '',
    'The largest script files of the lab page:',
    '',
    mdTable(
      fileHeader,
      fileRows.map((r) => [`\`${r[0]}\``, ...r.slice(1)]),
    ),
    '',
    `### Largest contentful paint (${runs} cold loads per page; p90 by nearest rank)`,
    '',
    mdTable(lcpHeader, lcpRows, [0, 8]),
    SECTION_END,
  ].join('\n');
  return { text, markdown };
}

/** What a page loads on top of the guide (the anchor): files the guide does not load, by gzip size. */
function extraNote(js: JsFigures[], short: string): string {
  const guide = new Set(js[0]!.scripts.map((s) => s.url));
  const page = js.find((f) => f.page.short === short)!;
  const extra = page.scripts.filter((s) => !guide.has(s.url));
  const total = extra.reduce((sum, s) => sum + s.gzip, 0);
  const files = extra.map((s) => `\`${s.url.split('/').pop()}\` ${kb(s.gzip)}`).join(', ');
  return `The ${short} page loads ${kb(total)} (gzip) of script files the guide does not: ${files || 'none'}.`;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A Markdown table; columns listed in `left` (by index) are text, the others numbers (right-aligned). */
function mdTable(header: string[], rows: string[][], left: number[] = [0]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (left.includes(i) ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

function log(line: string): void {
  process.stderr.write(`[bench:site] ${line}\n`);
}

await runBench(main);
