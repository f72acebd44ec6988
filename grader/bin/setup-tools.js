#!/usr/bin/env node
// `npm run setup:tools`: create the project's Python virtualenv at <repo>/.venv
// and install the pinned tools from labs/requirements-tools.txt into it
// (MLflow, DVC, scikit-learn, pandas, Evidently, FastAPI, pytest, ...).
//
// Idempotent: after a successful install the SHA-256 of the requirements file
// is written to .venv/.mlops-lab-requirements.sha256; the next run with the
// same file and a working venv does nothing. `--force` deletes the venv and
// installs again. pip's output goes to .venv/setup-tools.log and its tail is
// printed when something fails.
//
// Exit codes: 0 ok, 1 install failed, 2 bad usage, 3 no usable python3.
// Plain ESM JavaScript without dependencies: it runs before `npm ci` matters.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const requirementsFile = join(repoRoot, 'labs', 'requirements-tools.txt');
const venv = join(repoRoot, '.venv');
const isWindows = process.platform === 'win32';
const venvBin = join(venv, isWindows ? 'Scripts' : 'bin');
const venvPython = join(venvBin, isWindows ? 'python.exe' : 'python');
const stampFile = join(venv, '.mlops-lab-requirements.sha256');
const logFile = join(venv, 'setup-tools.log');
const MIN_PYTHON = [3, 10];
const PIP_VERSION = '26.3';
const PYTHON_HINT =
  'Install Python 3.11 with the venv module: on Debian/Ubuntu `sudo apt-get install python3 python3-venv`, ' +
  'on macOS `brew install python@3.11`, otherwise from https://www.python.org/downloads/. ' +
  'Set MLOPS_LAB_PYTHON=/path/to/python3 to use a specific interpreter.';

const started = Date.now();
const rel = (p) => relative(process.cwd(), p) || '.';
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = (msg) => console.log(`setup-tools: ${msg}`);

function fail(code, msg) {
  console.error(`setup-tools: error: ${msg}`);
  process.exit(code);
}

function usage() {
  console.log(`Usage: npm run setup:tools [-- --force]

Creates ${rel(venv)} with python3 -m venv and installs the pinned tools from
${rel(requirementsFile)}. Skips the install when the requirements did not
change since the last successful run.

  --force   delete the virtualenv and install everything again
  --tofu    also build OpenTofu and the kubernetes provider from the Go module
            proxy into .venv/bin (grader/bin/setup-tofu.js; needs Go; about
            7 minutes the first time, seconds after)
  --help    show this help

Environment: MLOPS_LAB_PYTHON  the interpreter to build the venv from (default: python3)`);
}

function parseArgs(argv) {
  const opts = { force: false, tofu: false };
  for (const arg of argv) {
    if (arg === '--force' || arg === '-f') opts.force = true;
    else if (arg === '--tofu') opts.tofu = true;
    else if (arg === '--help' || arg === '-h') {
      usage();
      process.exit(0);
    } else {
      console.error(`setup-tools: unknown argument ${JSON.stringify(arg)}`);
      usage();
      process.exit(2);
    }
  }
  return opts;
}

/** Runs `python -c code` and returns trimmed stdout, or null (with the error) when it cannot run. */
function pythonEval(python, code) {
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) return { out: null, error: r.error };
  if (r.status !== 0) return { out: null, error: new Error((r.stderr || '').trim() || `exit ${r.status}`) };
  return { out: r.stdout.trim(), error: null };
}

function findPython() {
  const python = process.env.MLOPS_LAB_PYTHON || 'python3';
  const { out, error } = pythonEval(python, 'import sys; print("%d.%d.%d" % sys.version_info[:3]); print(sys.executable)');
  if (out === null) {
    if (error && error.code === 'ENOENT') fail(3, `${python} was not found${python.includes('/') ? '' : ' on PATH'}. ${PYTHON_HINT}`);
    fail(3, `${python} does not run: ${error?.message}. ${PYTHON_HINT}`);
  }
  const [version = '', executable = python] = out.split('\n');
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    fail(3, `${python} is Python ${version}; the lab tools need Python ${MIN_PYTHON.join('.')} or newer (3.11 is tested). ${PYTHON_HINT}`);
  }
  return { python, version, executable };
}

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function readStamp() {
  try {
    return readFileSync(stampFile, 'utf8').trim().split(/\s+/)[0] ?? '';
  } catch {
    return '';
  }
}

/** The `name==version` lines of the requirements file (comments and options left out). */
function pinnedRequirements() {
  return readFileSync(requirementsFile, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line && !line.startsWith('-'));
}

function venvWorks() {
  return existsSync(venvPython) && pythonEval(venvPython, 'import sys').out !== null;
}

function logTail(lines = 40) {
  try {
    const text = readFileSync(logFile, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

/** Runs a command with stdout and stderr appended to the log; resolves with the exit code. */
function runLogged(cmd, args, what) {
  const fd = openSync(logFile, 'a');
  writeSync(fd, `\n$ ${[cmd, ...args].join(' ')}\n`);
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, {
      stdio: ['ignore', fd, fd],
      env: { ...process.env, PIP_NO_INPUT: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONUNBUFFERED: '1' },
    });
    const stepStart = Date.now();
    const heartbeat = setInterval(() => {
      say(`  ... still ${what} (${Math.round((Date.now() - stepStart) / 1000)} s)`);
    }, 30_000);
    const done = (code) => {
      clearInterval(heartbeat);
      closeSync(fd);
      resolvePromise(code);
    };
    child.on('error', (err) => {
      writeSync(fd, `\n${String(err)}\n`);
      done(127);
    });
    child.on('close', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

function failWithLog(code, msg) {
  console.error(`setup-tools: error: ${msg}`);
  console.error(`---- last lines of ${rel(logFile)} ----`);
  console.error(logTail());
  console.error('----');
  process.exit(code);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(requirementsFile)) fail(1, `${rel(requirementsFile)} is missing`);
  const hash = sha256(requirementsFile);
  const pins = pinnedRequirements();

  if (!opts.force && readStamp() === hash && venvWorks()) {
    say(
      `up to date: ${rel(venv)} already has the ${pins.length} pinned tools of ${rel(requirementsFile)} (sha256 ${hash.slice(0, 12)}); use --force to reinstall.`,
    );
    if (opts.tofu) setupTofu();
    return;
  }

  const { python, version, executable } = findPython();
  say(`using ${python} (Python ${version}, ${executable})`);

  if (opts.force && existsSync(venv)) {
    say(`--force: removing ${rel(venv)}`);
    rmSync(venv, { recursive: true, force: true });
  } else if (existsSync(venv) && !venvWorks()) {
    say(`${rel(venv)} exists but its python does not run; recreating it`);
    rmSync(venv, { recursive: true, force: true });
  }
  mkdirSync(venv, { recursive: true });
  writeFileSync(logFile, `mlops-lab setup-tools ${new Date().toISOString()}\nrequirements sha256 ${hash}\n`);
  rmSync(stampFile, { force: true });

  if (!existsSync(venvPython)) {
    say(`creating virtualenv ${rel(venv)}`);
    const code = await runLogged(python, ['-m', 'venv', venv], 'creating the virtualenv');
    if (code !== 0) {
      const log = logTail(200);
      if (/ensurepip|venv/i.test(log) && /not available|No module named/i.test(log)) {
        console.error(`setup-tools: error: ${python} has no working venv module.\n${PYTHON_HINT}`);
        console.error(logTail(10));
        process.exit(3);
      }
      failWithLog(1, `${python} -m venv ${venv} failed (exit ${code})`);
    }
  }

  // The pip that venv bundles (23.x with Python 3.11) resolves this set about
  // half as fast as a current one: upgrade it first, or go on with it.
  const pipUpgrade = await runLogged(
    venvPython,
    ['-m', 'pip', 'install', '--no-input', '--progress-bar', 'off', `pip==${PIP_VERSION}`],
    'upgrading pip',
  );
  if (pipUpgrade !== 0) say(`warning: could not upgrade pip to ${PIP_VERSION} (see ${rel(logFile)}); installing with the venv's own pip`);

  say(
    `installing ${pins.length} pinned packages from ${rel(requirementsFile)} (pip log: ${rel(logFile)}); a first install takes a few minutes`,
  );
  const pipArgs = ['-m', 'pip', 'install', '--no-input', '--progress-bar', 'off', '-r', requirementsFile];
  const code = await runLogged(venvPython, pipArgs, 'installing with pip');
  if (code !== 0) failWithLog(1, `pip install failed (exit ${code})`);

  const check = await runLogged(venvPython, ['-m', 'pip', 'check'], 'checking dependencies');
  if (check !== 0) {
    console.warn(`setup-tools: warning: pip check reports conflicting dependencies (see ${rel(logFile)}):`);
    console.warn(logTail(10));
  }

  const listed = pythonEval(
    venvPython,
    'import json, importlib.metadata as m; print(json.dumps({d.metadata["Name"].lower().replace("_", "-"): d.version for d in m.distributions()}))',
  );
  const installed = listed.out ? JSON.parse(listed.out) : {};
  const total = Object.keys(installed).length;
  say(`installed into ${venv} (${total} distributions in all):`);
  for (const pin of pins) {
    const name = pin
      .split(/[=<>!~[; ]/)[0]
      .toLowerCase()
      .replace(/_/g, '-');
    const have = installed[name];
    console.log(`  ${name}==${have ?? '(missing!)'}`);
  }
  const tools = ['mlflow', 'dvc', 'pytest', 'uvicorn'].filter((t) => existsSync(join(venvBin, t)));
  if (tools.length) say(`commands: ${tools.map((t) => join(rel(venvBin), t)).join(', ')}`);

  writeFileSync(stampFile, `${hash}  ${rel(requirementsFile)}\n`);
  say(`done in ${seconds()}`);
  if (opts.tofu) setupTofu();
}

/** `--tofu`: OpenTofu and the kubernetes provider into .venv/bin (exits with setup-tofu's code when it fails). */
function setupTofu() {
  say('--tofu: building OpenTofu and the kubernetes provider (grader/bin/setup-tofu.js)');
  const r = spawnSync(process.execPath, [join(repoRoot, 'grader', 'bin', 'setup-tofu.js')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

main().catch((err) => {
  console.error(`setup-tools: error: ${err?.stack ?? err}`);
  process.exit(1);
});
