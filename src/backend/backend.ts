/**
 * Chooses and starts the TensorFlow.js backend in Node: `wasm` by default, `cpu` as a fallback.
 * The choice comes from an explicit argument, else the `L2L_BACKEND` environment variable. (Which
 * engine computes the LSTM and the tasks is `engine/select.ts`'s choice.)
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from '../kernels/wasmKernels.ts';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The backends this project supports in Node. */
export const BACKENDS = ['wasm', 'cpu'] as const;
/** One of `BACKENDS`. */
export type BackendName = (typeof BACKENDS)[number];

let started: BackendName | undefined;

/** The process events whose handlers the wasm backend's Emscripten module installs in Node. */
const PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/**
 * Notes the process's error handlers and returns a function that removes any added since.
 * The wasm backend's Emscripten glue adds handlers that rethrow every uncaught error from inside
 * its own minified source, so Node would print ~38 KB of that source before the user's error and
 * exit with code 7; without them Node reports the error itself, as in any script.
 */
function keepProcessHandlers(): () => void {
  const listeners = (event: string) => (process as NodeJS.EventEmitter).listeners(event);
  const before = new Map(PROCESS_EVENTS.map((event) => [event, new Set(listeners(event))]));
  return () => {
    for (const event of PROCESS_EVENTS) {
      for (const listener of listeners(event)) {
        if (!before.get(event)!.has(listener)) (process as NodeJS.EventEmitter).off(event, listener as (...args: unknown[]) => void);
      }
    }
  };
}

/** Returns `name` if it is a supported backend, else throws an error naming the choices. */
export function parseBackend(name: string): BackendName {
  if ((BACKENDS as readonly string[]).includes(name)) return name as BackendName;
  throw new Error(`unknown backend '${name}': use one of ${BACKENDS.join(', ')}`);
}

/**
 * Starts the backend (once per process) and returns its name. When wasm was not asked for
 * explicitly and cannot start, falls back to cpu with a warning.
 */
export async function initBackend(requested?: string): Promise<BackendName> {
  const explicit = requested ?? process.env.L2L_BACKEND;
  const name = parseBackend(explicit ?? 'wasm');
  if (started === name) return name;
  if (name === 'wasm') {
    const require = createRequire(import.meta.url);
    const pkg = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    // Node loads the .wasm binary from a path; the package ships it in dist/.
    setWasmPaths(pathToFileURL(path.join(pkg, 'dist') + path.sep).pathname);
  }
  let ok = false;
  const restoreHandlers = keepProcessHandlers();
  try {
    ok = await tf.setBackend(name);
  } catch {
    ok = false;
  } finally {
    restoreHandlers();
  }
  if (!ok) {
    if (explicit !== undefined || name === 'cpu') throw new Error(`could not start the TensorFlow.js '${name}' backend: try --backend cpu`);
    process.stderr.write("warning: the wasm backend could not start; using the slower 'cpu' backend\n");
    return initBackend('cpu');
  }
  await tf.ready();
  if (name === 'wasm') registerWasmGradientKernels();
  if (name === 'cpu') {
    // The cpu backend otherwise prints a banner recommending tfjs-node, which cannot install here.
    (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  }
  started = name;
  return name;
}
