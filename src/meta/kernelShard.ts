/**
 * A shard whose LSTM runs on a row kernel (`learned/rowKernel.ts`, the native one in Node)
 * instead of TensorFlow.js: the same contract as `LocalShard`, on plain arrays. When the
 * truncation's activations fit in `ACTIVATION_BUDGET_BYTES` (small tasks: the quadratic's 1,280
 * rows × 20 steps take 31 MB) the forward steps keep them and `finish` only back-propagates.
 * Otherwise (MNIST) it keeps only the rows' input gradients, and `finish` has the kernel replay
 * and back-propagate each row in the CPU cache, so memory is a few bytes per row and step. Both
 * give the same numbers.
 */
import { metaParamShapes } from '../learned/lstmConfig.ts';
import { concatArrays, type LstmRowKernel, type RowStates } from '../learned/rowKernel.ts';
import type { Shard, ShardResult, ShardStart } from './shard.ts';

/** Most bytes of activations a shard keeps to skip the replay (more would count against peak memory). */
export const ACTIVATION_BUDGET_BYTES = 64 * 2 ** 20;

/**
 * Activation arrays of finished truncations, for the next one in this thread: allocating (and
 * collecting) 31 MB per truncation would cost more than keeping the activations saves.
 */
const spare: Float32Array[] = [];

/** A free array of `size` floats (contents undefined): a spare one if one fits, else a new one. */
function spareArray(size: number): Float32Array {
  const i = spare.findIndex((a) => a.length === size);
  if (i >= 0) return spare.splice(i, 1)[0];
  spare.length = 0; // the task changed size: let the old ones go
  return new Float32Array(size);
}

/** A shard computed in this thread by a row kernel. */
export class KernelShard implements Shard {
  private start: ShardStart | undefined;
  private phi: Float32Array = new Float32Array(0);
  private states: RowStates | undefined;
  private inputs: Float32Array[] = [];
  /** Each step's activations, while the truncation keeps them (null: replay instead). */
  private caches: Float32Array[] | null = null;
  /** Floats of one step's activations of all the shard's rows. */
  private cacheSize = 0;
  private lastUpdates: Float32Array | undefined;
  private outcome: ShardResult | undefined;

  /** A shard computing with `kernel` on `threads` threads. */
  constructor(
    private readonly kernel: LstmRowKernel,
    private readonly threads = 1,
  ) {}

  /** Starts a truncation. */
  begin(start: ShardStart): void {
    this.start = start;
    this.inputs = [];
    this.outcome = undefined;
    this.cacheSize = start.rows * this.kernel.cacheFloats(start.config);
    this.caches = this.cacheSize * 4 * (start.steps ?? Infinity) <= ACTIVATION_BUDGET_BYTES ? [] : null;
    this.phi = concatArrays(start.phi);
    // The states advance in place. They are handed over (see ShardStart), but a replay starts
    // again from `start`'s, so without kept activations they are copied.
    const own = (a: Float32Array) => (this.caches ? a : a.slice());
    this.states = { h: start.h.map(own), c: start.c.map(own), ...(start.m ? { m: own(start.m), v: own(start.v!) } : {}) };
  }

  /** Runs the LSTM one step on the rows' gradients. */
  forward(grads: Float32Array): void {
    const start = this.requireStart();
    const updates = new Float32Array(start.rows);
    const cache = this.caches ? spareArray(this.cacheSize) : undefined;
    this.kernel.forward(start.config, this.phi, start.count + this.inputs.length, grads, this.states!, updates, this.threads, cache);
    this.caches?.push(cache!);
    this.inputs.push(grads);
    this.lastUpdates = updates;
  }

  /** The updates of the last step. */
  updates(): Float32Array {
    if (!this.lastUpdates) throw new Error('no step has been run');
    return this.lastUpdates;
  }

  /** Back-propagates, replaying the rows unless their activations were kept (no blocks: the kernel works row by row). */
  finish(dUpdates: Float32Array[]): void {
    const start = this.requireStart();
    const flat = this.caches
      ? this.kernel.backward(start.config, this.phi, this.caches, dUpdates, this.threads)
      : this.kernel.metaGradient(start.config, this.phi, start.count, this.inputs, dUpdates, start, this.threads);
    let offset = 0;
    const metaGrads = metaParamShapes(start.config).map(([, shape]) => {
      const size = shape.reduce((a, b) => a * b, 1);
      return flat.slice(offset, (offset += size));
    });
    this.outcome = { metaGrads, ...this.states! };
    this.inputs = [];
    if (this.caches) spare.push(...this.caches.splice(0));
    this.caches = null;
  }

  /** The outcome of `finish`. */
  result(): ShardResult {
    if (!this.outcome) throw new Error('the shard has not finished a truncation');
    return this.outcome;
  }

  private requireStart(): ShardStart {
    if (!this.start) throw new Error('the shard has no truncation: call begin first');
    return this.start;
  }
}
