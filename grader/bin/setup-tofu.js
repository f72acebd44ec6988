#!/usr/bin/env node
// `npm run setup:tools -- --tofu` (or `node grader/bin/setup-tofu.js`): build
// OpenTofu and the hashicorp/kubernetes provider from source through the Go
// module proxy, for machines where the OpenTofu registry cannot be reached.
//
//   OpenTofu        v1.10.7   github.com/opentofu/opentofu           -> .venv/bin/tofu
//   kubernetes      v1.13.4   github.com/hashicorp/terraform-provider-kubernetes
//                             -> .venv/share/mlops-lab-tofu/providers (a filesystem mirror)
//   helm (opt-in)   v1.3.2    github.com/hashicorp/terraform-provider-helm (`--with-helm`; no lab needs it yet)
//   CLI config      .venv/share/mlops-lab-tofu/cli.tfrc (point TF_CLI_CONFIG_FILE at it)
//
// Why from source: `go install ...opentofu/cmd/tofu@v1.10.7` is refused (its
// go.mod has replace directives), so the module is downloaded, copied to a
// writable folder and built there. The kubernetes provider's newest module
// version the proxy serves is v1.13.4 (v2 tags lack a /v2 module path); its
// go.mod needs three edits to build without its vendor folder (see
// patchKubernetesGoMod). The provider registry is not used at all.
//
// Idempotent: a finished build is kept in the cache folder
// ($MLOPS_LAB_TOFU_CACHE, default ~/.cache/mlops-lab/tofu) and only linked
// again; `--force` builds again. Go's module and build caches live in the
// cache folder too, so a CI cache of it makes the next run take seconds.
//
// Exit codes: 0 ok, 1 a build failed, 2 bad usage, 3 no usable Go toolchain.
// Plain ESM JavaScript without dependencies.

import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  lstatSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const venvBin = join(repoRoot, '.venv', 'bin');
const shareDir = join(repoRoot, '.venv', 'share', 'mlops-lab-tofu');
const mirrorDir = join(shareDir, 'providers');
const cliConfigFile = join(shareDir, 'cli.tfrc');

const TOFU = { module: 'github.com/opentofu/opentofu', version: 'v1.10.7', pkg: './cmd/tofu' };
const KUBERNETES = {
  module: 'github.com/hashicorp/terraform-provider-kubernetes',
  version: 'v1.13.4',
  type: 'kubernetes',
  patch: patchKubernetesGoMod,
  minutes: 3,
};
/** Optional (`--with-helm`): no lab needs it yet; it builds the same way in about 4 more minutes. */
const HELM = { module: 'github.com/hashicorp/terraform-provider-helm', version: 'v1.3.2', type: 'helm', patch: patchHelmGoMod, minutes: 4 };
const VBOM_REPLACE = 'vbom.ml/util => github.com/fvbommel/util v0.0.0-20160121211510-db5cfe13f5cc';
/** Provider hosts the mirror answers for: OpenTofu's registry and Terraform's (so `terraform init` works too). */
const PROVIDER_HOSTS = ['registry.opentofu.org', 'registry.terraform.io'];
const MIN_GO = [1, 24];

const started = Date.now();
const rel = (p) => relative(process.cwd(), p) || '.';
const seconds = (from = started) => `${((Date.now() - from) / 1000).toFixed(1)} s`;
const say = (msg) => console.log(`setup-tofu: ${msg}`);

function fail(code, msg) {
  console.error(`setup-tofu: error: ${msg}`);
  process.exit(code);
}

function usage() {
  console.log(`Usage: node grader/bin/setup-tofu.js [--force] [--no-providers]

Builds OpenTofu ${TOFU.version} and the hashicorp/kubernetes provider ${KUBERNETES.version}
from the Go module proxy, links tofu into ${rel(venvBin)} and writes an offline
provider mirror and CLI config under ${rel(shareDir)}.

  --force          build again even when a finished build is cached
  --no-providers   build only OpenTofu
  --with-helm      also build hashicorp/helm ${HELM.version} into the mirror
  --help           show this help

Environment: MLOPS_LAB_TOFU_CACHE  build cache folder (default ~/.cache/mlops-lab/tofu)
             GO                    the go program (default: go on PATH, then /usr/local/go/bin/go)
             GOPROXY               as usual for Go (default https://proxy.golang.org)`);
}

function parseArgs(argv) {
  const opts = { force: false, providers: true, helm: false };
  for (const arg of argv) {
    if (arg === '--force' || arg === '-f') opts.force = true;
    else if (arg === '--no-providers') opts.providers = false;
    else if (arg === '--with-helm') opts.helm = true;
    else if (arg === '--tofu')
      continue; // passed through by `setup:tools -- --tofu`
    else if (arg === '--help' || arg === '-h') {
      usage();
      process.exit(0);
    } else {
      console.error(`setup-tofu: unknown argument ${JSON.stringify(arg)}`);
      usage();
      process.exit(2);
    }
  }
  return opts;
}

function findGo() {
  // An explicit GO is the only candidate: a typo there must not silently pick another toolchain.
  const candidates = process.env.GO ? [process.env.GO] : ['go', '/usr/local/go/bin/go', join(homedir(), 'go', 'bin', 'go')];
  for (const go of candidates) {
    const r = spawnSync(go, ['version'], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0 || r.error) continue;
    const m = /go(\d+)\.(\d+)/.exec(r.stdout);
    if (!m) continue;
    const [major, minor] = [Number(m[1]), Number(m[2])];
    if (major < MIN_GO[0] || (major === MIN_GO[0] && minor < MIN_GO[1])) {
      fail(
        3,
        `${go} is ${r.stdout.trim()}; OpenTofu ${TOFU.version} needs Go ${MIN_GO.join('.')} or newer. Install it from https://go.dev/dl/ and set GO=/path/to/go.`,
      );
    }
    return { go, version: r.stdout.trim() };
  }
  if (process.env.GO)
    fail(
      3,
      `no Go toolchain found: GO=${process.env.GO} does not run \`go version\`. Fix GO, or unset it to use go from PATH; Go 1.24+ is at https://go.dev/dl/.`,
    );
  fail(
    3,
    'no Go toolchain found (tried go on PATH, /usr/local/go/bin/go, ~/go/bin/go). Install Go 1.24+ from https://go.dev/dl/ (or `sudo apt-get install golang-go` where it is new enough) and run this again.',
  );
}

/** Runs a command, streaming its output into the log file; resolves with the exit code. */
function run(cmd, args, { cwd, env, log }) {
  return new Promise((resolvePromise) => {
    writeFileSync(log, `$ ${cmd} ${args.join(' ')}\n`, { flag: 'a' });
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const append = (chunk) => writeFileSync(log, chunk, { flag: 'a' });
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    child.on('error', (error) => {
      append(`${error.message}\n`);
      resolvePromise(127);
    });
    child.on('close', (code) => resolvePromise(code ?? 1));
  });
}

function logTail(log, lines = 25) {
  try {
    return readFileSync(log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** `go mod download -json module@version` -> the read-only folder in the module cache. */
async function downloadModule(ctx, module, version) {
  const r = spawnSync(ctx.go, ['mod', 'download', '-json', `${module}@${version}`], {
    encoding: 'utf8',
    env: ctx.env,
    cwd: ctx.cache,
    timeout: 600_000,
  });
  let info;
  try {
    info = JSON.parse(r.stdout);
  } catch {
    info = { Error: (r.stderr || r.stdout || `exit ${r.status}`).trim() };
  }
  if (info.Error || !info.Dir) {
    fail(
      1,
      `could not download ${module}@${version} through the Go module proxy (${ctx.env.GOPROXY || 'https://proxy.golang.org'}): ${info.Error ?? 'no folder'}`,
    );
  }
  return info.Dir;
}

/** A writable copy of a module's source (the module cache is read-only and a main module may not have replace-only quirks). */
function writableCopy(from, to) {
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
  const r = spawnSync('chmod', ['-R', 'u+w', to]);
  if (r.status !== 0) fail(1, `could not make ${to} writable`);
}

/**
 * The kubernetes provider v1.13.4 was released with a vendor folder that the
 * module zip leaves out. Without it: drop the replaces that point into
 * ./vendor (kustomize transformers the provider does not import), drop the
 * 2020 golang.org/x/sys pin (it does not build with current Go), and fetch
 * vbom.ml/util (its domain is gone) from its GitHub home at the same commit.
 */
export function patchKubernetesGoMod(text) {
  return text
    .split('\n')
    .filter((line) => !/=>\s*\.\/vendor\//.test(line))
    .map((line) => (/^\s*golang\.org\/x\/sys\s*=>/.test(line) ? `\t${VBOM_REPLACE}` : line))
    .join('\n');
}

/** The helm provider v1.3.2 needs only vbom.ml/util from its GitHub home (helm v3.3 -> kubectl v0.18 asks for it). */
export function patchHelmGoMod(text) {
  return text.includes('vbom.ml/util =>') ? text : `${text.trimEnd()}\n\nreplace ${VBOM_REPLACE}\n`;
}

async function buildTofu(ctx, opts) {
  const out = join(ctx.cache, 'bin', `tofu-${TOFU.version}`);
  if (!opts.force && works(out, ['version'], TOFU.version.slice(1))) {
    say(`OpenTofu ${TOFU.version}: cached (${rel(out)})`);
    return out;
  }
  const t0 = Date.now();
  say(`OpenTofu ${TOFU.version}: downloading ${TOFU.module} through the Go module proxy`);
  const src = join(ctx.cache, 'src', `opentofu-${TOFU.version}`);
  writableCopy(await downloadModule(ctx, TOFU.module, TOFU.version), src);
  say(`OpenTofu ${TOFU.version}: building (about 4 minutes on 2 cores; log ${rel(ctx.log)})`);
  const tmp = `${out}.partial`;
  const ldflags = '-s -w -X github.com/opentofu/opentofu/version.dev=no';
  const code = await run(ctx.go, ['build', `-ldflags=${ldflags}`, '-o', tmp, TOFU.pkg], { cwd: src, env: ctx.env, log: ctx.log });
  if (code !== 0) fail(1, `go build of OpenTofu failed (exit ${code}). Last lines of ${rel(ctx.log)}:\n${logTail(ctx.log)}`);
  renameSync(tmp, out);
  rmSync(src, { recursive: true, force: true });
  say(`OpenTofu ${TOFU.version}: built in ${seconds(t0)}`);
  return out;
}

async function buildProvider(ctx, opts, spec) {
  const name = `terraform-provider-${spec.type}_${spec.version}`;
  const out = join(ctx.cache, 'bin', name);
  if (!opts.force && existsSync(out)) {
    say(`${spec.type} provider ${spec.version}: cached (${rel(out)})`);
    return out;
  }
  const t0 = Date.now();
  say(`${spec.type} provider ${spec.version}: downloading ${spec.module}`);
  const src = join(ctx.cache, 'src', `${spec.type}-${spec.version}`);
  writableCopy(await downloadModule(ctx, spec.module, spec.version), src);
  // The module zip keeps only vendor/modules.txt; with it Go would insist on the (missing) vendored sources.
  rmSync(join(src, 'vendor'), { recursive: true, force: true });
  writeFileSync(join(src, 'go.mod'), spec.patch(readFileSync(join(src, 'go.mod'), 'utf8')));
  say(`${spec.type} provider ${spec.version}: building (about ${spec.minutes} minutes on 2 cores)`);
  const tmp = `${out}.partial`;
  // -mod=mod: the patched go.mod is resolved against the proxy; new go.sum lines are checked against the checksum database as usual.
  const env = { ...ctx.env, GOFLAGS: `${ctx.env.GOFLAGS ?? ''} -mod=mod`.trim() };
  const code = await run(ctx.go, ['build', '-ldflags=-s -w', '-o', tmp, '.'], { cwd: src, env, log: ctx.log });
  if (code !== 0)
    fail(1, `go build of the ${spec.type} provider failed (exit ${code}). Last lines of ${rel(ctx.log)}:\n${logTail(ctx.log)}`);
  renameSync(tmp, out);
  rmSync(src, { recursive: true, force: true });
  say(`${spec.type} provider ${spec.version}: built in ${seconds(t0)}`);
  return out;
}

function works(program, args, expect) {
  if (!existsSync(program)) return false;
  const r = spawnSync(program, args, { encoding: 'utf8', timeout: 30_000, env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  return r.status === 0 && r.stdout.includes(expect);
}

function link(target, path) {
  mkdirSync(dirname(path), { recursive: true });
  try {
    lstatSync(path);
    unlinkSync(path);
  } catch {
    // nothing there yet
  }
  symlinkSync(target, path);
}

/** The filesystem mirror ("unpacked" layout): <host>/hashicorp/<type>/<version>/<os_arch>/<binary>, and the CLI config for it. */
function writeMirror(built) {
  const platform = `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;
  for (const { spec, binary } of built) {
    for (const host of PROVIDER_HOSTS) {
      const dir = join(mirrorDir, host, 'hashicorp', spec.type, spec.version.slice(1), platform);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `terraform-provider-${spec.type}_${spec.version}`);
      cpSync(binary, file);
      chmodSync(file, 0o755);
    }
  }
  const addresses = built.flatMap(({ spec }) => PROVIDER_HOSTS.map((h) => `"${h}/hashicorp/${spec.type}"`)).join(', ');
  writeFileSync(
    cliConfigFile,
    `# Written by grader/bin/setup-tofu.js: providers come from the local mirror, not the registry.
# Use it with: export TF_CLI_CONFIG_FILE=${cliConfigFile}
provider_installation {
  filesystem_mirror {
    path    = "${mirrorDir}"
    include = [${addresses}]
  }
  direct {
    exclude = [${addresses}]
  }
}
`,
  );
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { go, version } = findGo();
  const cache = resolve(process.env.MLOPS_LAB_TOFU_CACHE || join(homedir(), '.cache', 'mlops-lab', 'tofu'));
  mkdirSync(join(cache, 'bin'), { recursive: true });
  mkdirSync(join(cache, 'src'), { recursive: true });
  const log = join(cache, 'build.log');
  writeFileSync(log, `setup-tofu ${new Date().toISOString()} ${version}\n`);
  const env = {
    ...process.env,
    GOPATH: process.env.GOPATH || join(cache, 'gopath'),
    GOCACHE: process.env.GOCACHE || join(cache, 'go-build'),
    GOFLAGS: '-modcacherw -buildvcs=false',
    GOTOOLCHAIN: 'local',
  };
  const ctx = { go, env, cache, log };
  say(`using ${version} (${go}); cache ${rel(cache)}`);

  const tofu = await buildTofu(ctx, opts);
  if (!works(tofu, ['version'], TOFU.version.slice(1))) fail(1, `${tofu} was built but \`tofu version\` does not answer ${TOFU.version}.`);
  link(tofu, join(venvBin, 'tofu'));
  say(`linked ${rel(join(venvBin, 'tofu'))} -> ${tofu}`);

  if (opts.providers) {
    const specs = opts.helm ? [KUBERNETES, HELM] : [KUBERNETES];
    const built = [];
    for (const spec of specs) built.push({ spec, binary: await buildProvider(ctx, opts, spec) });
    mkdirSync(shareDir, { recursive: true });
    writeMirror(built);
    const names = built.map(({ spec }) => `hashicorp/${spec.type} ${spec.version}`).join(', ');
    say(`provider mirror ${rel(mirrorDir)} (${names}); CLI config ${rel(cliConfigFile)}`);
  }
  say(`done in ${seconds()}. The grader uses the mirror by itself; in a terminal: export TF_CLI_CONFIG_FILE=${cliConfigFile}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
