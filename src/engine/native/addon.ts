/**
 * The native addon (`native/`, built by `npm ci` with node-gyp into
 * `build/Release/lstm_kernel.node`): the coordinatewise LSTM's steps and truncated
 * meta-gradient, and the MNIST MLP's loss and gradient, in C++. Node only.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LstmConfig } from '../../learned/lstmConfig.ts';

/** The addon's exports (see the comment at the top of `native/lstm_bindings.cc`). */
export interface Addon {
  forward(config: AddonConfig, phi: Float32Array, count: number, grads: Float32Array, h: Float32Array[], c: Float32Array[], m: Float32Array | null, v: Float32Array | null, updates: Float32Array, threads: number, cache: Float32Array | null, params?: Float32Array | null): void;
  metaGradient(config: AddonConfig, phi: Float32Array, count: number, inputs: Float32Array[], dUpdates: Float32Array[], h: Float32Array[], c: Float32Array[], m: Float32Array | null, v: Float32Array | null, threads: number, params?: Float32Array[] | null): Float32Array;
  backward(config: AddonConfig, phi: Float32Array, caches: Float32Array[], dUpdates: Float32Array[], threads: number): Float32Array;
  cacheFloats(config: AddonConfig): number;
  mlpLossAndGrad(sizes: number[], activation: number, params: Float32Array[], pixels: Uint8Array, labels: Uint8Array, indices: Int32Array, grads: Float32Array[]): number;
}

/** The LSTM configuration as the addon reads it. */
export interface AddonConfig {
  hidden: number[];
  /** 0: raw gradient, 1: log-and-sign preprocessing, 2: Adam-normalized inputs, 3: both. */
  mode: number;
  p: number;
  outputScale: number;
  /** λ of the magnitude output (update = s·d·e^(λm)), or 0: one linear output. */
  magnitude: number;
  /** 1: the LSTM also reads each row's value θ (`forward`'s and `metaGradient`'s params); 0 or absent: not. */
  params?: number;
}

/** Where node-gyp puts the addon, relative to the package root. */
export const ADDON_PATH = path.join('build', 'Release', 'lstm_kernel.node');

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The addon file to load: `L2L_ADDON` when set (another build of the same sources, such as the
 * sanitized one `native/buildSanitized.mjs` makes), else the package's own build.
 */
export function addonFile(): string {
  return process.env.L2L_ADDON ? path.resolve(process.env.L2L_ADDON) : path.join(packageRoot, ADDON_PATH);
}

/** The addon's exports; throws when it is not built or cannot load. */
export function loadAddon(): Addon {
  return createRequire(import.meta.url)(addonFile()) as Addon;
}

/** The addon, or the reason it cannot load (first line of the error). */
export function tryLoadAddon(): { addon: Addon | null; reason?: string } {
  try {
    return { addon: loadAddon() };
  } catch (error) {
    return { addon: null, reason: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
}

/** `config` as the addon reads it. */
export function addonConfig(config: LstmConfig): AddonConfig {
  const mode = { 'adam-log': 4, both: 3, adam: 2, gradient: config.preprocessP === null ? 0 : 1 }[config.inputs];
  return { hidden: config.hidden, mode, p: config.preprocessP ?? 0, outputScale: config.outputScale, magnitude: config.magnitude ?? 0, params: config.paramInput ? 1 : 0 };
}
