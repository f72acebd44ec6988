import { constants } from 'node:fs';
import { lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { EvidenceError } from '../errors.ts';

/** Default cap for one file read: learners' text files are small. */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

export interface WorkspaceFileInfo {
  /** Path relative to the workspace, with `/` separators. */
  path: string;
  size: number;
}

/**
 * Read-only access to a learner's workspace. Every path is relative to the
 * workspace; `..`, absolute paths and symlinks that lead outside are
 * refused, and reads are capped so a 1 GB file or a FIFO cannot hang the
 * grader.
 */
export class WorkspaceFiles {
  readonly root: string;
  #realRoot: Promise<string> | undefined;

  constructor(root: string) {
    this.root = resolve(root);
  }

  #real(): Promise<string> {
    this.#realRoot ??= realpath(this.root).catch((cause: unknown) => {
      throw new EvidenceError(
        'WORKSPACE_MISSING',
        `The workspace folder ${this.root} does not exist.`,
        'Create it with `mlops-lab start <lab> --dir <folder>`.',
        { cause },
      );
    });
    return this.#realRoot;
  }

  /**
   * Absolute real path of a workspace file, refusing anything that resolves
   * outside the workspace. Missing files resolve to their would-be path.
   */
  async resolve(relPath: string): Promise<string> {
    if (isAbsolute(relPath) || relPath.split(/[\\/]/).includes('..')) {
      throw new EvidenceError(
        'PATH_OUTSIDE_WORKSPACE',
        `The path "${relPath}" points outside the workspace; the grader reads only files inside it.`,
        'Keep lab files inside the workspace folder.',
      );
    }
    const root = await this.#real();
    const candidate = join(root, relPath);
    let real: string;
    try {
      real = await realpath(candidate);
    } catch {
      return candidate;
    }
    if (real !== root && !real.startsWith(root + sep)) {
      throw new EvidenceError(
        'PATH_OUTSIDE_WORKSPACE',
        `"${relPath}" is a symlink to ${real}, outside the workspace; the grader does not follow it.`,
        `Replace the link with a real file: \`rm ${relPath}\` and copy the content in.`,
      );
    }
    return real;
  }

  async exists(relPath: string): Promise<boolean> {
    const p = await this.resolve(relPath);
    try {
      await lstat(p);
      return true;
    } catch {
      return false;
    }
  }

  /** Reads a UTF-8 text file, at most `maxBytes` (default 1 MiB). */
  async readText(relPath: string, options: { maxBytes?: number } = {}): Promise<string> {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
    const p = await this.resolve(relPath);
    let info;
    try {
      info = await stat(p);
    } catch (cause) {
      throw new EvidenceError('FILE_NOT_FOUND', `${relPath} does not exist in the workspace.`, undefined, { cause });
    }
    if (!info.isFile()) {
      throw new EvidenceError('NOT_A_FILE', `${relPath} is not a regular file.`, `Make ${relPath} a regular text file.`);
    }
    if (info.size > maxBytes) {
      throw new EvidenceError(
        'FILE_TOO_LARGE',
        `${relPath} is ${formatBytes(info.size)}; the grader reads at most ${formatBytes(maxBytes)} of it.`,
        `Check that ${relPath} is the file you meant: \`ls -lh ${relPath}\`.`,
      );
    }
    // O_NONBLOCK: a FIFO swapped in after the stat must not block the open.
    const handle = await open(p, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    try {
      const buffer = Buffer.alloc(Math.min(maxBytes + 1, info.size + 1));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      if (bytesRead > maxBytes) {
        throw new EvidenceError(
          'FILE_TOO_LARGE',
          `${relPath} grew past ${formatBytes(maxBytes)} while it was being read.`,
          `Check that ${relPath} is the file you meant: \`ls -lh ${relPath}\`.`,
        );
      }
      return buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  }

  /**
   * Lists regular files under a folder of the workspace (recursively,
   * without following symlinks), at most `maxEntries`.
   */
  async list(relDir = '.', options: { maxEntries?: number; skip?: (relPath: string) => boolean } = {}): Promise<WorkspaceFileInfo[]> {
    const maxEntries = options.maxEntries ?? 10_000;
    const root = await this.#real();
    const start = await this.resolve(relDir);
    const out: WorkspaceFileInfo[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true });
      for (const entry of entries) {
        const abs = join(dir, entry.name);
        const rel = relative(root, abs).split(sep).join('/');
        if (options.skip?.(rel)) continue;
        if (entry.isDirectory()) {
          await walk(abs);
        } else if (entry.isFile() || entry.isSymbolicLink()) {
          if (out.length >= maxEntries) {
            throw new EvidenceError(
              'TOO_MANY_FILES',
              `The workspace holds more than ${maxEntries} files under ${relDir}.`,
              'Remove generated files or list them in .dockerignore / .gitignore.',
            );
          }
          const info = await lstat(abs);
          out.push({ path: rel, size: info.size });
        }
      }
    };
    await walk(start);
    return out;
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}
