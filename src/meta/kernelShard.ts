/**
 * A shard whose LSTM runs on a row kernel (`learned/rowKernel.ts`, the native one in Node)
 * instead of TensorFlow.js: the same contract as `LocalShard`, on plain arrays. It keeps only
 * the rows' input gradients; `finish` hands them to the kernel, which replays and
 * back-propagates each row in the cache, so memory is a few bytes per row and step.
 */
import { metaParamShapes } from '../learned/lstmConfig.ts';
import { concatArrays, type LstmRowKernel, type RowStates } from '../learned/rowKernel.ts';
import type { Shard, ShardResult, ShardStart } from './shard.ts';

/** A shard computed in this thread by a row kernel. */
export class KernelShard implements Shard {
  private start: ShardStart | undefined;
  private phi: Float32Array = new Float32Array(0);
  private states: RowStates | undefined;
  private inputs: Float32Array[] = [];
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
    this.phi = concatArrays(start.phi);
    this.states = {
      h: start.h.map((a) => a.slice()),
      c: start.c.map((a) => a.slice()),
      ...(start.m ? { m: start.m.slice(), v: start.v!.slice() } : {}),
    };
  }

  /** Runs the LSTM one step on the rows' gradients. */
  forward(grads: Float32Array): void {
    const start = this.requireStart();
    const updates = new Float32Array(start.rows);
    this.kernel.forward(start.config, this.phi, start.count + this.inputs.length, grads, this.states!, updates, this.threads);
    this.inputs.push(grads);
    this.lastUpdates = updates;
  }

  /** The updates of the last step. */
  updates(): Float32Array {
    if (!this.lastUpdates) throw new Error('no step has been run');
    return this.lastUpdates;
  }

  /** Replays the rows and back-propagates (the kernel needs no blocks: it works row by row). */
  finish(dUpdates: Float32Array[]): void {
    const start = this.requireStart();
    const flat = this.kernel.metaGradient(start.config, this.phi, start.count, this.inputs, dUpdates, start, this.threads);
    let offset = 0;
    const metaGrads = metaParamShapes(start.config).map(([, shape]) => {
      const size = shape.reduce((a, b) => a * b, 1);
      return flat.slice(offset, (offset += size));
    });
    this.outcome = { metaGrads, ...this.states! };
    this.inputs = [];
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
