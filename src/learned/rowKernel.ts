/**
 * An optional compute kernel for the coordinatewise LSTM: the same math as `lstmCell.ts`, row by
 * row on plain arrays. Node registers the native one (`src/native/nativeKernel.ts`) when it is
 * built; without a kernel (the browser, or a machine without a C++ compiler) everything runs on
 * TensorFlow.js, which stays the reference the kernel is tested against.
 */
import type { LstmConfig } from './lstmConfig.ts';

/** The LSTM's row-wise operations on flat arrays; φ is flattened in `metaParamShapes` order. */
export interface LstmRowKernel {
  /** Short name, recorded in benchmarks. */
  readonly name: string;
  /**
   * One step for every row at update number `count`: reads the rows' gradients, writes their
   * updates, and advances h, c ([rows × units] per layer) and m, v ('adam' inputs) in place;
   * with `cache`, keeps the step's activations there (see `cacheFloats`).
   */
  forward(config: LstmConfig, phi: Float32Array, count: number, grads: Float32Array, states: RowStates, updates: Float32Array, threads?: number, cache?: Float32Array): void;
  /**
   * ∂S/∂φ (flattened) for S = Σ_t ⟨update_t, dUpdates_t⟩, replaying the steps from `start`
   * (not modified) with the recorded input gradients, the first at update number `count`.
   * Both operations may use `threads` threads (default 1); the numbers do not depend on it.
   */
  metaGradient(config: LstmConfig, phi: Float32Array, count: number, inputs: Float32Array[], dUpdates: Float32Array[], start: RowStates, threads?: number): Float32Array;
  /**
   * Floats of one row's activations at one step: `forward` given a `cache` of rows × this many
   * floats keeps the step's activations there, and `backward` takes them instead of replaying.
   */
  cacheFloats(config: LstmConfig): number;
  /** The same as `metaGradient`, from the steps' kept activations (same numbers, no replay). */
  backward(config: LstmConfig, phi: Float32Array, caches: Float32Array[], dUpdates: Float32Array[], threads?: number): Float32Array;
}

/** LSTM states of a block of rows as flat arrays: h, c per layer [rows × units]; m, v [rows]. */
export interface RowStates {
  h: Float32Array[];
  c: Float32Array[];
  m?: Float32Array;
  v?: Float32Array;
}

let active: LstmRowKernel | null = null;

/** Makes `kernel` the one meta-training and evaluation use from now on (null: TensorFlow.js). */
export function setLstmRowKernel(kernel: LstmRowKernel | null): void {
  active = kernel;
}

/** The registered kernel, or null when the LSTM runs on TensorFlow.js. */
export function lstmRowKernel(): LstmRowKernel | null {
  return active;
}

let threads = 1;

/**
 * How many threads the kernel may use for work that this thread does alone (default 1). Node's
 * main thread sets all cores; code that already runs several threads of its own (worker shards,
 * an evaluation pool) asks for 1.
 */
export function setKernelThreads(n: number): void {
  threads = Math.max(1, Math.floor(n));
}

/** See `setKernelThreads`. */
export function kernelThreads(): number {
  return threads;
}

/** Several arrays one after another in one array (φ's tensors, or the shards' rows). */
export function concatArrays(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
