/**
 * Which TensorFlow.js backend does the arithmetic. tfjs-node (native
 * TensorFlow) is the fastest when its native library loads; it is optional and
 * loaded only by a dynamic import, so a machine without it (or where its
 * prebuilt binary cannot be fetched) falls back to WebAssembly, which needs
 * nothing native. The run reports which one it used.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

// The bundle (scripts/bundle.ts) keeps the .wasm files beside dist/cli.js and says where; from source they are found in node_modules.
const bundledWasmDir = (globalThis as { __capstoneWasmDir?: string }).__capstoneWasmDir;
if (bundledWasmDir) setWasmPaths(bundledWasmDir);

export type BackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

export interface BackendInfo {
  /** The backend tf.getBackend() reports: "tensorflow", "wasm" or "cpu". */
  name: string;
  /** Why this one: what was tried before it and how that went. */
  notes: string[];
}

/** The optional native binding; a variable specifier keeps bundlers and tsc from requiring it. */
const TFJS_NODE = '@tensorflow/tfjs-node';

async function tryBackend(name: string, notes: string[]): Promise<boolean> {
  try {
    if (await tf.setBackend(name)) {
      await tf.ready();
      return true;
    }
    notes.push(`${name}: setBackend returned false`);
  } catch (error) {
    notes.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return false;
}

/** Selects a backend ("auto": tfjs-node if it loads, else wasm, else cpu) and says which one runs. */
export async function initBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  const notes: string[] = [];
  if (choice === 'auto' || choice === 'tensorflow') {
    try {
      await import(TFJS_NODE);
      if (await tryBackend('tensorflow', notes)) return { name: tf.getBackend(), notes };
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' ? 'not installed' : (error as Error).message;
      notes.push(`tensorflow (@tensorflow/tfjs-node): ${reason}`);
    }
    if (choice === 'tensorflow') throw new Error(`the tensorflow backend is not available: ${notes.join('; ')}`);
  }
  if (choice === 'auto' || choice === 'wasm') {
    if (await tryBackend('wasm', notes)) return { name: tf.getBackend(), notes };
    if (choice === 'wasm') throw new Error(`the wasm backend is not available: ${notes.join('; ')}`);
  }
  if (await tryBackend('cpu', notes)) return { name: tf.getBackend(), notes };
  throw new Error(`no TensorFlow.js backend could start: ${notes.join('; ')}`);
}

/** The backend in use, selecting one ("auto") first when none has been set up yet, as in a process that only loads a model. */
export async function ensureBackend(): Promise<string> {
  const current = tf.engine().backendName;
  if (current) return current;
  return (await initBackend('auto')).name;
}
