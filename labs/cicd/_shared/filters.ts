/**
 * GitHub's filter patterns for `branches`, `tags` and `paths`, as its
 * "filter pattern cheat sheet" defines them: `*` any characters but `/`,
 * `**` any characters, `?` zero or one of the preceding character, `+` one
 * or more of it, `[…]` a class, `!` at the start negates; the last pattern
 * that matches decides.
 */

/** A filter pattern as a regular expression over the whole name. */
export function filterPattern(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        // `**/` also matches no folder at all.
        if (pattern[i + 2] === '/') {
          out += '(?:.*/)?';
          i += 2;
        } else {
          out += '.*';
          i++;
        }
      } else out += '[^/]*';
    } else if (ch === '?' || ch === '+') out += ch;
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        out += pattern.slice(i, end + 1);
        i = end;
      }
    } else out += ch.replace(/[.^$|(){}\\/]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** Whether a list of patterns (with `!` negations, last match wins) selects the name. */
export function patternsMatch(patterns: readonly string[], name: string): boolean {
  let selected = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    if (filterPattern(negated ? raw.slice(1) : raw).test(name)) selected = !negated;
  }
  return selected;
}

interface BranchFilter {
  branches?: string[];
  'branches-ignore'?: string[];
}

/** Why an event with this branch filter would not fire for `branch`, or undefined when it fires. */
export function branchFilterMisses(config: BranchFilter, branch: string): string | undefined {
  if (config.branches?.length && !patternsMatch(config.branches, branch))
    return `branches ${JSON.stringify(config.branches)} do not match ${branch}`;
  if (config['branches-ignore']?.length && patternsMatch(config['branches-ignore'], branch))
    return `branches-ignore ${JSON.stringify(config['branches-ignore'])} excludes ${branch}`;
  return undefined;
}

interface PathFilter {
  paths?: string[];
  'paths-ignore'?: string[];
}

/** Whether a change to `path` alone would start the event (no filter: every change does). */
export function pathFilterFires(config: PathFilter, path: string): boolean {
  if (config.paths?.length) return patternsMatch(config.paths, path);
  if (config['paths-ignore']?.length) return !patternsMatch(config['paths-ignore'], path);
  return true;
}
