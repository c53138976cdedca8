/**
 * The native LSTM kernel (`native/lstm_kernel.cc`, built by `npm ci` with node-gyp into
 * `build/Release/lstm_kernel.node`): the coordinatewise LSTM's forward step and truncated
 * meta-gradient in C++, several times faster than the same math on TensorFlow.js wasm. Node only;
 * when the addon is missing (no C++ compiler at install time) TensorFlow.js does the work.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { UserError } from '../io/userError.ts';
import type { LstmConfig } from '../learned/lstmConfig.ts';
import { setKernelThreads, setLstmRowKernel, type LstmRowKernel, type RowStates } from '../learned/rowKernel.ts';
import { setMlpKernel, type MlpKernel } from '../tasks/mlpKernel.ts';

/** The addon's exports (see the comment at the top of `native/lstm_kernel.cc`). */
export interface Addon {
  forward(config: AddonConfig, phi: Float32Array, count: number, grads: Float32Array, h: Float32Array[], c: Float32Array[], m: Float32Array | null, v: Float32Array | null, updates: Float32Array, threads: number, cache: Float32Array | null): void;
  metaGradient(config: AddonConfig, phi: Float32Array, count: number, inputs: Float32Array[], dUpdates: Float32Array[], h: Float32Array[], c: Float32Array[], m: Float32Array | null, v: Float32Array | null, threads: number): Float32Array;
  backward(config: AddonConfig, phi: Float32Array, caches: Float32Array[], dUpdates: Float32Array[], threads: number): Float32Array;
  cacheFloats(config: AddonConfig): number;
  mlpLossAndGrad(sizes: number[], activation: number, params: Float32Array[], pixels: Uint8Array, labels: Uint8Array, indices: Int32Array, grads: Float32Array[]): number;
}

interface AddonConfig {
  hidden: number[];
  /** 0: raw gradient, 1: log-and-sign preprocessing, 2: Adam-normalized inputs. */
  mode: number;
  p: number;
  outputScale: number;
}

/** Where node-gyp puts the addon, relative to the package root. */
export const ADDON_PATH = path.join('build', 'Release', 'lstm_kernel.node');

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The addon file to load: `L2L_ADDON` when set (another build of the same sources, such as the
 * sanitized one `native/buildSanitized.mjs` makes), else the package's own build.
 */
export function addonFile(): string {
  return process.env.L2L_ADDON ? path.resolve(process.env.L2L_ADDON) : path.join(packageRoot, ADDON_PATH);
}

/**
 * Loads the native kernels (the LSTM's and the MNIST MLP's, one addon), or returns null with the
 * reason when they are not built or cannot load.
 */
export function loadNativeKernel(): { kernel: LstmRowKernel | null; mlp?: MlpKernel; reason?: string } {
  let addon: Addon;
  try {
    addon = loadAddon();
  } catch (error) {
    return { kernel: null, reason: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
  return { kernel: nativeKernel(addon), mlp: { lossAndGrad: (sizes, activation, params, data, indices, grads) => addon.mlpLossAndGrad(sizes, activation, params, data.pixels, data.labels, indices, grads) } };
}

/** The addon's raw exports (for tests of its argument checks); throws when it is not built. */
export function loadAddon(): Addon {
  return createRequire(import.meta.url)(addonFile()) as Addon;
}

function nativeKernel(addon: Addon): LstmRowKernel {
  return {
    name: 'native',
    forward(config, phi, count, grads, states, updates, threads = 1, cache) {
      addon.forward(addonConfig(config), phi, count, grads, states.h, states.c, states.m ?? null, states.v ?? null, updates, threads, cache ?? null);
    },
    metaGradient(config, phi, count, inputs, dUpdates, start: RowStates, threads = 1) {
      return addon.metaGradient(addonConfig(config), phi, count, inputs, dUpdates, start.h, start.c, start.m ?? null, start.v ?? null, threads);
    },
    cacheFloats: (config) => addon.cacheFloats(addonConfig(config)),
    backward: (config, phi, caches, dUpdates, threads = 1) => addon.backward(addonConfig(config), phi, caches, dUpdates, threads),
  };
}

function addonConfig(config: LstmConfig): AddonConfig {
  const mode = config.inputs === 'adam' ? 2 : config.preprocessP === null ? 0 : 1;
  return { hidden: config.hidden, mode, p: config.preprocessP ?? 0, outputScale: config.outputScale };
}

/** Which LSTM kernel to use, from `L2L_KERNEL`: 'native' (the default when built) or 'tfjs'. */
export const KERNELS = ['native', 'tfjs'] as const;

let notified = false;

/**
 * Registers the native kernels (LSTM and MNIST MLP) for this thread unless `L2L_KERNEL=tfjs`, and
 * returns the name of the LSTM kernel in use. In the main thread the kernel may use every core (`L2L_KERNEL_THREADS`
 * sets another number), in a worker thread one. Asked for explicitly (`L2L_KERNEL=native`) and not built, it is an error;
 * by default the main thread prints one note and TensorFlow.js does the work.
 */
export function useNativeKernel(requested = process.env.L2L_KERNEL): 'native' | 'tfjs' {
  if (requested !== undefined && !(KERNELS as readonly string[]).includes(requested)) {
    throw new UserError(`unknown L2L_KERNEL '${requested}': use one of ${KERNELS.join(', ')}`);
  }
  if (requested === 'tfjs') {
    setLstmRowKernel(null);
    setMlpKernel(null);
    return 'tfjs';
  }
  const { kernel, mlp, reason } = loadNativeKernel();
  if (!kernel) {
    const fix = 'run `npm rebuild` on a machine with a C++ compiler (node-gyp) to build it';
    if (requested === 'native') throw new UserError(`the native LSTM kernel is not available (${reason}): ${fix}, or set L2L_KERNEL=tfjs`);
    if (!notified && isMainThread) process.stderr.write(`note: the native LSTM kernel is not built; using TensorFlow.js, which is slower (${fix})\n`);
    notified = true;
    setLstmRowKernel(null);
    setMlpKernel(null);
    return 'tfjs';
  }
  setLstmRowKernel(kernel);
  setMlpKernel(mlp!);
  // Workers are one of several threads already; the main thread may use every core.
  setKernelThreads(isMainThread ? mainThreadKernelThreads() : 1);
  return 'native';
}

/** `L2L_KERNEL_THREADS` if set (a whole number ≥ 1), else the number of cores. */
function mainThreadKernelThreads(): number {
  const requested = process.env.L2L_KERNEL_THREADS;
  if (requested === undefined) return availableParallelism();
  const n = Number(requested);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`L2L_KERNEL_THREADS must be a whole number of at least 1, got '${requested}'`);
  return n;
}
