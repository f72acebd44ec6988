import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '../src/paths.ts';

/** The file every bench writes its measured section into. */
export const BENCHMARKS_FILE = join(repoRoot, 'BENCHMARKS.md');

/** Start and end markers of one bench's section, e.g. `docker-01`. */
export function sectionMarkers(name: string): { start: string; end: string } {
  return { start: `<!-- bench:${name}:start -->`, end: `<!-- bench:${name}:end -->` };
}

/**
 * Replaces one bench's section of BENCHMARKS.md (or appends it), keeping
 * everything else, and formats the file like `npm run format` would.
 * The markers are added around `section` when it does not carry them, so a
 * second write replaces the section instead of appending another.
 */
export async function writeBenchmarkSection(name: string, body: string, log: (line: string) => void): Promise<void> {
  const { start: startMarker, end: endMarker } = sectionMarkers(name);
  const section = body.includes(startMarker) ? body : `${startMarker}\n\n${body.trim()}\n\n${endMarker}`;
  const current = await readFile(BENCHMARKS_FILE, 'utf8').catch(() => undefined);
  let next: string;
  if (current === undefined) {
    next = `# Benchmarks\n\nMeasured figures, each section written by the bench named in it.\n\n${section}\n`;
  } else {
    const start = current.indexOf(startMarker);
    const end = current.indexOf(endMarker);
    next = start >= 0 && end > start ? `${current.slice(0, start)}${section}${current.slice(end + endMarker.length)}` : `${current.trimEnd()}\n\n${section}\n`;
  }
  await writeFile(BENCHMARKS_FILE, await formatMarkdown(next, log));
}

async function formatMarkdown(text: string, log: (line: string) => void): Promise<string> {
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(BENCHMARKS_FILE)) ?? {};
    return await prettier.format(text, { ...options, filepath: BENCHMARKS_FILE });
  } catch (error) {
    log(`BENCHMARKS.md left unformatted (${error instanceof Error ? error.message : String(error)}); run \`npm run format\`.`);
    return text;
  }
}

/** A failure that ends a bench with this exit code and message, after its cleanup ran. */
export class BenchExit extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message: string) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** The first line of an error's message, for one-line log entries. */
export function errorText(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
}

/** Runs a bench's `main` and sets the exit code: BenchExit's own, 1 for anything unexpected. */
export async function runBench(main: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    if (error instanceof BenchExit) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = error.exitCode;
    } else {
      process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    }
  }
}

/**
 * The `--runs` value as a positive whole number, refusing `--write` with
 * fewer than `minForWrite` runs (BenchExit 2 on either mistake).
 */
export function parseRuns(value: string | undefined, write: boolean, minForWrite: number): number {
  const runs = Number(value);
  if (!Number.isInteger(runs) || runs < 1) throw new BenchExit(2, `--runs must be a positive whole number, not "${value}".`);
  if (write && runs < minForWrite) {
    throw new BenchExit(2, `--write needs at least ${minForWrite} runs, so BENCHMARKS.md never holds a median of a handful.`);
  }
  return runs;
}
