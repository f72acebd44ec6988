/**
 * Whether a path would be ignored by the workspace's .gitignore files, for
 * the IaC labs' state and lock-file checks: the common subset of gitignore
 * (globs `*`, `**`, `?`, a leading `/`, a trailing `/` for folders, `!`
 * to re-include), read from `.gitignore` in the workspace root and in the
 * folders on the way to the path. Enough to judge `*.tfstate` and
 * `.terraform/`; the checks name the file so a learner can confirm with
 * `git check-ignore -v <path>`.
 */
import { posix } from 'node:path';
import type { CheckContext } from '@mlops-lab/grader/authoring';

interface Rule {
  base: string;
  negate: boolean;
  dirOnly: boolean;
  re: RegExp;
}

function globToRe(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      out += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}

/** Parses one .gitignore's text (in folder `base`, workspace-relative, '' for the root). */
export function parseGitignore(text: string, base = ''): Rule[] {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/).slice(0, 2_000)) {
    let line = raw.replace(/\s+$/, '');
    if (!line || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1);
    const dirOnly = line.endsWith('/');
    if (dirOnly) line = line.slice(0, -1);
    const anchored = line.includes('/');
    if (line.startsWith('/')) line = line.slice(1);
    const body = globToRe(line);
    rules.push({ base, negate, dirOnly, re: new RegExp(anchored ? `^${body}$` : `^(?:.*/)?${body}$`) });
  }
  return rules;
}

/** True when `path` (workspace-relative, a file) is ignored by `rules`. */
export function isIgnored(rules: readonly Rule[], path: string): boolean {
  let ignored = false;
  for (const rule of rules) {
    if (rule.base && !path.startsWith(`${rule.base}/`)) continue;
    const rel = rule.base ? path.slice(rule.base.length + 1) : path;
    const relParts = rel.split('/');
    // A rule matches the file itself (unless it is for folders only) or any folder on its way.
    const candidates = relParts.map((_, i) => relParts.slice(0, i + 1).join('/'));
    const matched = candidates.some((c, i) => (i < relParts.length - 1 || !rule.dirOnly) && rule.re.test(c));
    if (matched) ignored = !rule.negate;
  }
  return ignored;
}

/** The rules of every .gitignore from the workspace root down to the folder of `path`. */
export async function gitignoreRules(ctx: Pick<CheckContext, 'files'>, path: string): Promise<{ rules: Rule[]; files: string[] }> {
  const dirs = [''];
  const segments = posix
    .dirname(path)
    .split('/')
    .filter((s) => s && s !== '.');
  for (let i = 0; i < segments.length; i++) dirs.push(segments.slice(0, i + 1).join('/'));
  const rules: Rule[] = [];
  const files: string[] = [];
  for (const dir of dirs) {
    const file = dir ? `${dir}/.gitignore` : '.gitignore';
    if (!(await ctx.files.exists(file))) continue;
    rules.push(...parseGitignore(await ctx.files.readText(file, { maxBytes: 64 * 1024 }), dir));
    files.push(file);
  }
  return { rules, files };
}
