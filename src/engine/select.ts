/**
 * Picks the engine in Node: the one function that reads `L2L_KERNEL` and `L2L_KERNEL_THREADS`
 * (the CLI's `--kernel` sets the former for its worker threads too).
 *
 * - `native` (the default where the addon is built): the C++ kernels, on every core of this
 *   thread (`L2L_KERNEL_THREADS` sets another number) or on the threads asked for.
 * - `tfjs`: TensorFlow.js, the browser's engine; with `workerThreads`, big tasks' LSTM rows are
 *   shared with that many worker threads.
 * Asked for explicitly and not built, `native` is an error; by default a missing addon gives one
 * note on stderr and the TensorFlow.js engine.
 */
import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../io/userError.ts';
import type { Engine } from './engine.ts';
import { tryLoadAddon } from './native/addon.ts';
import { nativeEngine } from './native/nativeEngine.ts';
import { tfjsEngine } from './tfjs/tfjsEngine.ts';
import { withWorkerThreads } from './workers/shardedLstm.ts';

/** The engines' names, as `--kernel` and `L2L_KERNEL` take them. */
export const ENGINES = ['native', 'tfjs'] as const;

/** What the caller wants of the engine; anything not given comes from the environment. */
export interface EngineOptions {
  /** 'native' or 'tfjs' (default: `L2L_KERNEL`, else native where built). */
  kernel?: string;
  /** Native kernel threads (default: 1 in a worker thread; in the main thread `L2L_KERNEL_THREADS`, else every core). */
  threads?: number;
  /** Worker threads that share big tasks' LSTM rows with this one on the TensorFlow.js engine (default 0). */
  workerThreads?: number;
}

let notified = false;

/** The engine for `options` (see the module comment); `close` it when done if it has worker threads. */
export function selectEngine(options: EngineOptions = {}): Engine {
  const requested = options.kernel ?? process.env.L2L_KERNEL;
  if (requested !== undefined && !(ENGINES as readonly string[]).includes(requested)) {
    throw new UserError(`unknown kernel '${requested}' (L2L_KERNEL or --kernel): use one of ${ENGINES.join(', ')}`);
  }
  const tfjs = () => withWorkerThreads(tfjsEngine(), options.workerThreads ?? 0, tf.getBackend());
  if (requested === 'tfjs') return tfjs();
  const { addon, reason } = tryLoadAddon();
  if (!addon) {
    const fix = 'run `npm rebuild` on a machine with a C++ compiler (node-gyp) to build it';
    if (requested === 'native') throw new UserError(`the native kernels are not available (${reason}): ${fix}, or use --kernel tfjs`);
    if (!notified && isMainThread) process.stderr.write(`note: the native LSTM kernel is not built; using TensorFlow.js, which is slower (${fix})\n`);
    notified = true;
    return tfjs();
  }
  return nativeEngine(addon, options.threads ?? kernelThreads());
}

/**
 * 1 in a worker thread (it is one of several threads already); in the main thread
 * `L2L_KERNEL_THREADS` if set (a whole number ≥ 1), else every core.
 */
function kernelThreads(): number {
  if (!isMainThread) return 1;
  const requested = process.env.L2L_KERNEL_THREADS;
  if (requested === undefined) return availableParallelism();
  const n = Number(requested);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`L2L_KERNEL_THREADS must be a whole number of at least 1, got '${requested}'`);
  return n;
}
