/**
 * node labs/capstone/solution/scripts/bundle.ts [--out DIR]
 *
 * Builds what the Docker image copies: DIR/cli.js (default dist/ beside this
 * script's package), one ES module for Node 24 with every dependency inside
 * (TensorFlow.js, the wasm backend, prom-client, zod, @mlops-lab/grader/drift),
 * and the wasm backend's .wasm files beside it. The image then needs no
 * node_modules: `node dist/cli.js serve` runs from dist/ and data/ alone.
 *
 * The wasm backend's Node glue is CommonJS and finds its .wasm files through
 * `__dirname`; an ES module has none, so the banner defines `__dirname`,
 * `__filename` and `require` for the bundle, and sets
 * `globalThis.__capstoneWasmDir`, which backend.ts hands to setWasmPaths.
 * The optional native backend (@tensorflow/tfjs-node) stays out: it is
 * imported by a variable name, so the bundle uses wasm (or cpu).
 */
import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(here, '..');

const BANNER = [
  "import { createRequire as __capstoneCreateRequire } from 'node:module';",
  "import { fileURLToPath as __capstoneFileURLToPath } from 'node:url';",
  "import { dirname as __capstoneDirname } from 'node:path';",
  'const require = __capstoneCreateRequire(import.meta.url);',
  'const __filename = __capstoneFileURLToPath(import.meta.url);',
  'const __dirname = __capstoneDirname(__filename);',
  "globalThis.__capstoneWasmDir = __dirname + '/';",
].join('\n');

export interface BundleResult {
  outDir: string;
  cli: string;
  wasmFiles: string[];
  bytes: number;
}

export async function bundle(outDir: string = join(packageDir, 'dist')): Promise<BundleResult> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const cli = join(outDir, 'cli.js');
  await build({
    entryPoints: [join(packageDir, 'src', 'cli.ts')],
    outfile: cli,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    banner: { js: BANNER },
    legalComments: 'linked',
    logLevel: 'warning',
    // Both are optional: tfjs-node is imported by a variable name; node-fetch is tfjs's fallback when fetch is missing (Node 24 has fetch).
    external: ['@tensorflow/tfjs-node', 'node-fetch'],
  });
  const require = createRequire(join(packageDir, 'package.json'));
  const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  const wasmFiles = (await readdir(wasmDir)).filter((f) => f.endsWith('.wasm')).sort();
  for (const file of wasmFiles) await copyFile(join(wasmDir, file), join(outDir, file));
  return { outDir, cli, wasmFiles, bytes: (await stat(cli)).size };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const result = await bundle(values.out ? resolve(values.out) : undefined);
  process.stdout.write(
    `${JSON.stringify({ cli: result.cli, sizeMb: Number((result.bytes / 1024 / 1024).toFixed(2)), wasm: result.wasmFiles }, null, 2)}\n`,
  );
}
