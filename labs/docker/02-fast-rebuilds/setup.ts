/**
 * What a real project folder holds besides the code, made when the workspace
 * starts (not committed: megabytes, and a .git folder cannot live in the
 * repository): Git history, a local dataset, a virtualenv, bytecode caches,
 * a notebook and a .env with (fake) secrets.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LabHookContext } from '@mlops-lab/grader/authoring';

/** Rows of the local training extract: about 7.5 MiB, like a real export that got left in the project folder. */
const DATASET_ROWS = 260_000;

export async function makeProjectClutter(ctx: Pick<LabHookContext, 'workspace'>): Promise<void> {
  const put = async (rel: string, content: string | Buffer): Promise<void> => {
    const path = join(ctx.workspace.dir, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  };
  await put(
    '.env',
    `# Local development settings. Never commit, never ship.\nLOAN_API_ADMIN_TOKEN=dev-${randomBytes(16).toString('hex')}\nDATABASE_URL=postgres://loans:${randomBytes(9).toString('base64url')}@localhost:5432/loans\n`,
  );
  await put('.git/HEAD', 'ref: refs/heads/main\n');
  await put(
    '.git/config',
    '[core]\n\trepositoryformatversion = 0\n\tbare = false\n[remote "origin"]\n\turl = git@git.example.com:risk/loan-api.git\n',
  );
  await put('.git/refs/heads/main', `${randomBytes(20).toString('hex')}\n`);
  await put(`.git/objects/pack/pack-${randomBytes(20).toString('hex')}.pack`, randomBytes(2 * 1024 * 1024));
  await put('.venv/pyvenv.cfg', 'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n');
  await put(
    '.venv/lib/python3.11/site-packages/numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so',
    randomBytes(3 * 1024 * 1024),
  );
  await put('app/__pycache__/serve.cpython-311.pyc', randomBytes(6 * 1024));
  await put(
    'notebooks/explore.ipynb',
    `${JSON.stringify({ cells: [{ cell_type: 'markdown', metadata: {}, source: ['# Default rate by loan size'] }], metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1)}\n`,
  );
  await put('data/loans-full.csv', dataset(DATASET_ROWS));
}

/** A deterministic CSV of loan applications (a linear congruential generator, so every workspace gets the same file). */
function dataset(rows: number): string {
  let seed = 20240601;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const lines = ['applicant_id,income,loan_amount,credit_history_years,open_accounts,defaulted'];
  for (let i = 1; i <= rows; i++) {
    const income = Math.round(18000 + next() * 140000);
    const amount = Math.round(1000 + next() * 60000);
    const years = (next() * 30).toFixed(1);
    const accounts = Math.floor(next() * 12);
    lines.push(`${String(i).padStart(8, '0')},${income},${amount},${years},${accounts},${next() < 0.18 ? 1 : 0}`);
  }
  return `${lines.join('\n')}\n`;
}
