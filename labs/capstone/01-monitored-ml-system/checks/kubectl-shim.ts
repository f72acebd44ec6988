/**
 * The grader's `kubectl` for M7 when no cluster runs the project: a small
 * executable put first on PATH that records each invocation's argv as one
 * JSON line and answers like kubectl would, so the grader can tell that
 * `rollback` ran `kubectl rollout undo deployment/<name> -n <namespace>`.
 * With a real cluster that runs the Deployment, the real kubectl runs
 * instead and the check reads the Deployment's revision.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** One recorded `kubectl` call. */
export interface KubectlCall {
  argv: string[];
  cwd: string;
  /** ms since the epoch. */
  at: number;
}

export interface KubectlShim {
  /** The folder holding `kubectl`; put it first on PATH. */
  readonly dir: string;
  /** The JSON-lines file the shim appends to. */
  readonly log: string;
  /** PATH with the shim's folder first. */
  path(basePath?: string): string;
  /** Every call recorded so far, oldest first (a line that is not JSON is skipped). */
  calls(): Promise<KubectlCall[]>;
  /** Removes the folder. */
  remove(): Promise<void>;
}

/** The recording script: Node, so argv survives any quoting; answers as kubectl does and exits 0. */
const RECORDER = `'use strict';
const { appendFileSync } = require('node:fs');
const argv = process.argv.slice(2);
appendFileSync(process.env.MLOPS_LAB_KUBECTL_LOG || __dirname + '/calls.jsonl', JSON.stringify({ argv, cwd: process.cwd(), at: Date.now() }) + '\\n');
const words = argv.filter((a) => !a.startsWith('-'));
if (words[0] === 'rollout' && words[1] === 'undo') {
  const target = words.find((w) => w.includes('/')) || 'deployment/' + (words[3] || 'unknown');
  process.stdout.write(target.replace(/^(deployment|deploy|deployments)\\//, 'deployment.apps/') + ' rolled back\\n');
} else if (words[0] === 'version') {
  process.stdout.write('Client Version: v1.31.0 (mlops-lab recording kubectl)\\n');
}
`;

/**
 * Writes the shim into a new temp folder: `kubectl` (a /bin/sh script that
 * execs this Node with the recorder, argv passed through) and the recorder.
 */
export async function createKubectlShim(nodePath: string = process.execPath): Promise<KubectlShim> {
  const dir = await mkdtemp(join(tmpdir(), 'mlops-lab-kubectl-'));
  const log = join(dir, 'calls.jsonl');
  const recorder = join(dir, 'kubectl-recorder.cjs');
  await writeFile(recorder, RECORDER);
  await writeFile(log, '');
  const quote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;
  const script = join(dir, 'kubectl');
  await writeFile(
    script,
    `#!/bin/sh\n# Recorded by MLOps Lab: each call's argv goes to ${log}.\nMLOPS_LAB_KUBECTL_LOG=${quote(log)} exec ${quote(nodePath)} ${quote(recorder)} "$@"\n`,
  );
  await chmod(script, 0o755);
  return {
    dir,
    log,
    path: (basePath = process.env.PATH ?? '') => (basePath ? `${dir}${delimiter}${basePath}` : dir),
    async calls() {
      const text = await readFile(log, 'utf8').catch(() => '');
      const out: KubectlCall[] = [];
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        try {
          const value = JSON.parse(line) as KubectlCall;
          if (Array.isArray(value.argv)) out.push(value);
        } catch {
          // A torn line (a killed process mid-write) is not a call.
        }
      }
      return out;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** What a `kubectl rollout undo` argv says, with kubectl's own flag spellings. */
export interface RolloutUndo {
  /** `deployment/adult-income` as the resource named (kind folded to `deployment`). */
  deployment?: string;
  namespace?: string;
}

/**
 * Reads a kubectl argv as kubectl parses it: `rollout undo deployment/NAME`
 * or `rollout undo deployment NAME` (also `deploy`, `deployments`,
 * `deployment.apps`), with `-n NS`, `-nNS`, `--namespace NS`,
 * `--namespace=NS` anywhere. Undefined when it is not a rollout undo.
 */
export function parseRolloutUndo(argv: readonly string[]): RolloutUndo | undefined {
  const words: string[] = [];
  let namespace: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-n' || arg === '--namespace') namespace = argv[++i];
    else if (arg.startsWith('--namespace=')) namespace = arg.slice('--namespace='.length);
    else if (/^-n.+/.test(arg)) namespace = arg.slice(2).replace(/^=/, '');
    else if (/^--(context|kubeconfig|cluster|user|to-revision|server|token)$/.test(arg)) i++;
    else if (!arg.startsWith('-')) words.push(arg);
  }
  if (words[0] !== 'rollout' || words[1] !== 'undo') return undefined;
  const kind = /^(deployment|deployments|deploy|deployment\.apps)$/;
  let name: string | undefined;
  const target = words[2];
  if (target?.includes('/')) {
    const [k, n] = target.split('/', 2);
    if (kind.test(k!)) name = n;
  } else if (target && kind.test(target)) name = words[3];
  return { ...(name ? { deployment: `deployment/${name}` } : {}), ...(namespace !== undefined ? { namespace } : {}) };
}

/** The command line as a person would type it (for messages and the `rollback.kubectl` figure). */
export function commandLine(argv: readonly string[]): string {
  return ['kubectl', ...argv].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}
