/**
 * Chooses and starts the TensorFlow.js backend in Node: `wasm` by default, `cpu` as a fallback.
 * The choice comes from an explicit argument, else the `L2L_BACKEND` environment variable.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The backends this project supports in Node. */
export const BACKENDS = ['wasm', 'cpu'] as const;
/** One of `BACKENDS`. */
export type BackendName = (typeof BACKENDS)[number];

let started: BackendName | undefined;

/** Returns `name` if it is a supported backend, else throws an error naming the choices. */
export function parseBackend(name: string): BackendName {
  if ((BACKENDS as readonly string[]).includes(name)) return name as BackendName;
  throw new Error(`unknown backend '${name}': use one of ${BACKENDS.join(', ')}`);
}

/** Starts the backend (once per process) and returns its name. */
export async function initBackend(requested?: string): Promise<BackendName> {
  const name = parseBackend(requested ?? process.env.L2L_BACKEND ?? 'wasm');
  if (started === name) return name;
  if (name === 'wasm') {
    const require = createRequire(import.meta.url);
    const pkg = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    // Node loads the .wasm binary from a path; the package ships it in dist/.
    setWasmPaths(pathToFileURL(path.join(pkg, 'dist') + path.sep).pathname);
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`could not start the TensorFlow.js '${name}' backend: try --backend cpu`);
  await tf.ready();
  started = name;
  return name;
}
