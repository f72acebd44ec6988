/**
 * node grader/bench/capstone-serving.ts [--model DIR] [--runs N] [--seconds S] [--concurrency 1,8,32,64] [--workers W] [--write]
 *
 * Serving throughput and latency of the capstone's reference endpoint
 * (labs/capstone/solution: node:http, Basic auth, zod validation,
 * micro-batching, prom-client metrics and the drift monitor, TensorFlow.js)
 * next to the usual Python stack, FastAPI + uvicorn + scikit-learn
 * (grader/bench/peers/capstone_serving_peer.py), serving the same model class
 * (a 64-32 ReLU multilayer perceptron: scikit-learn's MLPClassifier) trained
 * on the same training rows with the same encoding (checked: the peer's
 * encoding of the first test rows must equal ours).
 *
 * Both servers run at once, each as one process (uvicorn `--workers 1` by
 * default: our server is one Node process, and on a two-core machine the
 * load generator needs the other core; see the report for why), with BLAS
 * held to one thread. The load is closed-loop from this process: C
 * connections each send a one-row /predict as soon as the previous answer
 * arrived, for S seconds, with the same request bodies for both servers. Each
 * run measures every concurrency on both servers in turn (the order flips
 * every run, so drift in the machine's load hits both alike); the table shows
 * medians over the runs: requests per second, p50 and p99 latency, the CPU the
 * server process used (cores), and the throughput ratio. The target: at
 * least 1.5x the peer's throughput at no worse p99.
 *
 * Exit codes: 0 measured, 1 a server or the peer failed, 2 usage, 3 the venv lacks FastAPI, uvicorn or scikit-learn.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { basicAuthHeader } from '../../labs/capstone/solution/src/auth.ts';
import { DEFAULT_DATASET, loadDataset } from '../../labs/capstone/solution/src/data.ts';
import { transform } from '../../labs/capstone/solution/src/features.ts';
import { manifestSchema, saveTrainedModel } from '../../labs/capstone/solution/src/model-io.ts';
import { applyShift } from '../../labs/capstone/solution/src/simulate.ts';
import { DEFAULT_SEED, splitFor, trainModel } from '../../labs/capstone/solution/src/train.ts';
import { summarizeLatencies } from '../src/evidence/load.ts';
import { freeLoopbackPort } from '../src/evidence/service.ts';
import { venvDir } from '../src/paths.ts';
import { BenchExit, errorText, parseRuns, runBench, sectionMarkers, writeBenchmarkSection } from './benchmarks-file.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const CLI = join(HERE, '..', '..', 'labs', 'capstone', 'solution', 'src', 'cli.ts');
const PEER = join(HERE, 'peers', 'capstone_serving_peer.py');
const MIN_RUNS_FOR_WRITE = 3;
const TARGET_RATIO = 1.5;
const CREDENTIALS = { username: 'bench', password: `bench-${process.pid}-${Date.now()}` };
const execFileAsync = promisify(execFile);
const log = (line: string): void => void process.stderr.write(`${line}\n`);

interface Measurement {
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** CPU seconds of the server's processes per wall second. */
  cores: number;
}

const median = (xs: readonly number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

const CLOCK_TICKS = 100;

/** User + system CPU seconds of a process and all its descendants (Linux /proc). */
function cpuSeconds(rootPid: number): number {
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(fields[1]));
      ticks.set(Number(name), Number(fields[11]) + Number(fields[12]));
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  for (const [pid, t] of ticks) {
    let p: number | undefined = pid;
    while (p !== undefined && p > 1 && p !== rootPid) p = parent.get(p);
    if (p === rootPid) total += t;
  }
  return total / CLOCK_TICKS;
}

/** C connections, each sending the next request when the previous one answered, for `seconds`. */
async function closedLoop(url: string, bodies: readonly Buffer[], concurrency: number, seconds: number, pid: number): Promise<Measurement> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const headers = { authorization: basicAuthHeader(CREDENTIALS), 'content-type': 'application/json' };
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const one = (body: Buffer): Promise<boolean> =>
    new Promise((resolve) => {
      const req = request(
        url,
        { method: 'POST', agent, headers: { ...headers, 'content-length': body.length }, timeout: 10_000 },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200));
          res.on('error', () => resolve(false));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(false));
      req.end(body);
    });
  const cpuBefore = cpuSeconds(pid);
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const ok = await one(bodies[next++ % bodies.length] as Buffer);
        latencies.push(performance.now() - t0);
        if (!ok) errors += 1;
      }
    }),
  );
  const wall = (performance.now() - started) / 1000;
  const cores = (cpuSeconds(pid) - cpuBefore) / wall;
  agent.destroy();
  const summary = summarizeLatencies(latencies);
  return { requests: latencies.length, errors, perSecond: (latencies.length - errors) / wall, p50: summary.p50, p99: summary.p99, cores };
}

interface Started {
  name: string;
  child: ChildProcess;
  url: string;
  output: () => string;
}

function track(child: ChildProcess): () => string {
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => output;
}

async function waitForHealth(started: Started, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null)
      throw new BenchExit(1, `${started.name} exited (${started.child.exitCode}): ${started.output().slice(-800)}`);
    try {
      const res = await fetch(`${started.url}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new BenchExit(1, `${started.name} did not answer /health within ${timeoutMs / 1000} s: ${started.output().slice(-800)}`);
}

async function stop(started: Started | undefined): Promise<void> {
  if (!started || started.child.exitCode !== null) return;
  const exited = new Promise((r) => started.child.once('exit', r));
  started.child.kill('SIGTERM');
  const timer = setTimeout(() => started.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

// One BLAS thread (one core per server), and no __pycache__ left beside the peer script.
const threadEnv = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1' };

async function main(): Promise<number> {
  const usage =
    'Usage: node grader/bench/capstone-serving.ts [--model DIR] [--runs N] [--seconds S] [--concurrency 1,8,32,64] [--workers W] [--write]\n';
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        model: { type: 'string' },
        runs: { type: 'string', default: '3' },
        seconds: { type: 'string', default: '5' },
        concurrency: { type: 'string', default: '1,8,32,64' },
        workers: { type: 'string', default: '1' },
        write: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`${errorText(error)}\n${usage}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const runs = parseRuns(values.runs as string, Boolean(values.write), MIN_RUNS_FOR_WRITE);
  const seconds = Number(values.seconds);
  if (!(seconds >= 1 && seconds <= 60)) throw new BenchExit(2, `--seconds must be from 1 to 60, not "${values.seconds}".`);
  const levels = String(values.concurrency).split(',').map(Number);
  if (levels.some((c) => !Number.isInteger(c) || c < 1 || c > 256))
    throw new BenchExit(2, `--concurrency must list whole numbers from 1 to 256, not "${values.concurrency}".`);
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 8)
    throw new BenchExit(2, `--workers must be from 1 to 8, not "${values.workers}".`);

  const python = join(venvDir(), 'bin', 'python');
  try {
    await execFileAsync(python, ['-c', 'import fastapi, uvicorn, sklearn, pandas'], { timeout: 60_000 });
  } catch (error) {
    throw new BenchExit(
      3,
      `${python} cannot import FastAPI, uvicorn, scikit-learn and pandas (${errorText(error)}); run \`npm run setup:tools\`.`,
    );
  }

  const dataset = await loadDataset();
  const dir = await mkdtemp(join(tmpdir(), 'capstone-serving-bench-'));
  let ours: Started | undefined;
  let peer: Started | undefined;
  try {
    let modelDir = values.model as string | undefined;
    if (!modelDir) {
      modelDir = join(dir, 'ours');
      log('training our model on the full training split (no --model given) ...');
      const trained = await trainModel({ dataset, seed: DEFAULT_SEED });
      await saveTrainedModel(modelDir, trained);
      trained.model.dispose();
    }
    const manifest = manifestSchema.parse(JSON.parse(await readFile(join(modelDir, 'manifest.json'), 'utf8')));
    if (manifest.dataset.sha256 !== dataset.sha256 || manifest.dataset.rows !== dataset.rows.length) {
      throw new BenchExit(
        2,
        `${modelDir} was not trained on the whole shipped data set (a --sample model?): the peer could not get the same split. Leave out --model.`,
      );
    }
    const encoding = JSON.parse(await readFile(join(modelDir, 'encoding.json'), 'utf8'));
    const split = splitFor(dataset, manifest.seed);
    await writeFile(join(dir, 'split.json'), JSON.stringify(split));

    log('training the peer (scikit-learn MLPClassifier) on the same rows and encoding ...');
    const { stdout } = await execFileAsync(
      python,
      [
        PEER,
        'train',
        '--data',
        DEFAULT_DATASET,
        '--split',
        join(dir, 'split.json'),
        '--encoding',
        join(modelDir, 'encoding.json'),
        '--out',
        join(dir, 'peer'),
        '--seed',
        String(manifest.seed),
      ],
      { timeout: 20 * 60_000, maxBuffer: 64 * 1024 * 1024 },
    ).catch((error: unknown) => {
      throw new BenchExit(1, `the peer failed to train: ${errorText(error)} ${(error as { stderr?: string }).stderr?.slice(-800) ?? ''}`);
    });
    const peerInfo = JSON.parse(stdout) as {
      encodedSample: number[][];
      fitSeconds: number;
      testRocAuc: number;
      epochs: number;
      versions: Record<string, string>;
    };
    const testRows = split.test.map((i) => dataset.rows[i]!);
    const ourSample = transform(encoding, testRows.slice(0, peerInfo.encodedSample.length));
    let worst = 0;
    peerInfo.encodedSample.forEach((row, i) =>
      row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - ourSample.values[i * ourSample.columns + j]!)))),
    );
    if (peerInfo.encodedSample[0]?.length !== ourSample.columns || worst > 1e-4) {
      throw new BenchExit(
        1,
        `the peer's encoding differs from ours (columns ${peerInfo.encodedSample[0]?.length} vs ${ourSample.columns}, largest difference ${worst})`,
      );
    }
    log(
      `peer trained in ${peerInfo.fitSeconds.toFixed(1)} s (${peerInfo.epochs} epochs), test ROC AUC ${peerInfo.testRocAuc.toFixed(4)}; encodings agree (largest difference ${worst.toExponential(1)})`,
    );

    const env = {
      PATH: process.env.PATH ?? '',
      SERVING_USERNAME: CREDENTIALS.username,
      SERVING_PASSWORD: CREDENTIALS.password,
      ...threadEnv,
    };
    const ourChild = spawn(process.execPath, [CLI, 'serve', '--model', modelDir, '--port', '0'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const ourOutput = track(ourChild);
    const ourUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new BenchExit(1, `our server did not start in 120 s: ${ourOutput().slice(-800)}`)), 120_000);
      ourChild.stderr.on('data', () => {
        const match = /"msg":"listening","url":"([^"]+)"/.exec(ourOutput());
        if (match) {
          clearTimeout(timer);
          resolve(match[1] as string);
        }
      });
      ourChild.once('exit', (code) => reject(new BenchExit(1, `our server exited (${code}): ${ourOutput().slice(-800)}`)));
    });
    ours = { name: 'ours', child: ourChild, url: ourUrl, output: ourOutput };
    const peerPort = await freeLoopbackPort();
    const peerChild = spawn(
      python,
      [PEER, 'serve', '--model', join(dir, 'peer'), '--port', String(peerPort), '--workers', String(workers)],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    peer = { name: 'peer', child: peerChild, url: `http://127.0.0.1:${peerPort}`, output: track(peerChild) };
    await waitForHealth(ours, 60_000);
    await waitForHealth(peer, 120_000);

    const bodies = testRows.slice(0, 512).map((row) => Buffer.from(JSON.stringify({ rows: [applyShift(row, [])] })));
    for (const server of [ours, peer]) {
      const unauthorized = await fetch(`${server.url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: bodies[0],
      });
      if (unauthorized.status !== 401)
        throw new BenchExit(1, `${server.name} answered ${unauthorized.status} without credentials; expected 401`);
      const ok = await fetch(`${server.url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basicAuthHeader(CREDENTIALS) },
        body: bodies[0],
      });
      const body = (await ok.json()) as { predictions?: { label: string }[] };
      if (ok.status !== 200 || body.predictions?.length !== 1)
        throw new BenchExit(1, `${server.name} did not predict: status ${ok.status}`);
      await closedLoop(`${server.url}/predict`, bodies, 8, 2, server.child.pid!);
    }

    const results = new Map<string, Measurement[]>();
    for (let run = 1; run <= runs; run++) {
      for (const c of levels) {
        const order = run % 2 ? [ours, peer] : [peer, ours];
        for (const server of order) {
          const m = await closedLoop(`${server.url}/predict`, bodies, c, seconds, server.child.pid!);
          const key = `${server.name}:${c}`;
          results.set(key, [...(results.get(key) ?? []), m]);
          log(
            `run ${run}/${runs}, concurrency ${c}, ${server.name}: ${m.perSecond.toFixed(0)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, ${m.errors} errors, ${m.cores.toFixed(2)} cores`,
          );
        }
      }
    }

    const med = (name: string, c: number, field: keyof Measurement): number =>
      median((results.get(`${name}:${c}`) ?? []).map((m) => m[field]));
    const rows = levels.map((c) => {
      const ratio = med('ours', c, 'perSecond') / med('peer', c, 'perSecond');
      const p99ok = med('ours', c, 'p99') <= med('peer', c, 'p99');
      return { c, ratio, p99ok, met: ratio >= TARGET_RATIO && p99ok };
    });
    const table = [
      '| concurrency | ours req/s | ours p50 / p99 (ms) | ours CPU (cores) | FastAPI req/s | FastAPI p50 / p99 (ms) | FastAPI CPU (cores) | throughput ratio | p99 no worse | target met |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
      ...rows.map(
        (r) =>
          `| ${r.c} | ${med('ours', r.c, 'perSecond').toFixed(0)} | ${med('ours', r.c, 'p50').toFixed(1)} / ${med('ours', r.c, 'p99').toFixed(1)} | ${med('ours', r.c, 'cores').toFixed(2)} | ${med('peer', r.c, 'perSecond').toFixed(0)} | ${med('peer', r.c, 'p50').toFixed(1)} / ${med('peer', r.c, 'p99').toFixed(1)} | ${med('peer', r.c, 'cores').toFixed(2)} | ${r.ratio.toFixed(2)}x | ${r.p99ok ? 'yes' : 'NO'} | ${r.met ? 'yes' : 'NO'} |`,
      ),
    ].join('\n');
    const errors = [...results.values()].flat().reduce((sum, m) => sum + m.errors, 0);
    const verdict = rows.every((r) => r.met)
      ? `Target (at least ${TARGET_RATIO}x the throughput at no worse p99) met at every concurrency measured.`
      : `Target (at least ${TARGET_RATIO}x the throughput at no worse p99) NOT met at concurrency ${rows
          .filter((r) => !r.met)
          .map((r) => r.c)
          .join(', ')}; met at ${
          rows
            .filter((r) => r.met)
            .map((r) => r.c)
            .join(', ') || 'none'
        }.`;
    const machine = [
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Linux ${release()}, Node ${process.version}, TensorFlow.js ${tf.version.tfjs} (backend ${manifest.backend})`,
      `Peer: Python ${peerInfo.versions.python}, scikit-learn ${peerInfo.versions['scikit-learn']}, numpy ${peerInfo.versions.numpy}, FastAPI + uvicorn with ${workers} worker(s), BLAS 1 thread; MLPClassifier (64, 32), test ROC AUC ${peerInfo.testRocAuc.toFixed(4)} (ours ${manifest.metrics.test.rocAuc?.toFixed(4)})`,
      `Load: closed loop from a third process, one row per request, ${seconds} s per point, ${runs} run(s), medians; same 512 test-split rows for both; ${errors} failed request(s) in all. Ours runs its drift monitor and metrics during the run; the peer has neither.`,
    ].join('\n');
    const section = `## Capstone serving: ours vs FastAPI + uvicorn + scikit-learn\n\n${machine.split('\n').join('  \n')}\n\n${table}\n\n${verdict}\n`;
    process.stdout.write(`\n${machine}\n\n${table}\n\n${verdict}\n`);
    if (values.write) {
      const { start, end } = sectionMarkers('capstone-serving');
      await writeBenchmarkSection('capstone-serving', `${start}\n${section}${end}`, log);
    }
    return 0;
  } finally {
    await stop(ours);
    await stop(peer);
    await rm(dir, { recursive: true, force: true });
  }
}

await runBench(main);
