/** Reading a pip-style lockfile: `name==version --hash=sha256:…` per package, `\` continues a line. */

export interface LockedPackage {
  name: string;
  version: string | undefined;
  hashes: string[];
  line: number;
  spec: string;
}

/** PEP 503 normalised name: `Loan_Risk` and `loan-risk` are the same package. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export function parseLock(text: string): LockedPackage[] {
  const out: LockedPackage[] = [];
  const lines = text.split('\n');
  let start = 0;
  let logical = '';
  lines.forEach((raw, i) => {
    if (logical === '') start = i + 1;
    const line = raw.replace(/#.*$/, '').trimEnd();
    if (line.endsWith('\\')) {
      logical += `${line.slice(0, -1)} `;
      return;
    }
    logical += line;
    const text = logical.trim();
    logical = '';
    if (!text || text.startsWith('-')) return;
    const [spec = '', ...options] = text.split(/\s+/);
    const pinned = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([A-Za-z0-9.+!_-]+)$/.exec(spec);
    const name = pinned?.[1] ?? /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(spec)?.[0] ?? spec;
    const hashes = options.filter((o) => o.startsWith('--hash=sha256:')).map((o) => o.slice('--hash=sha256:'.length));
    out.push({ name, version: pinned?.[2], hashes, line: start, spec });
  });
  return out;
}
