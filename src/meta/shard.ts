/**
 * A shard of a truncation: a contiguous range of coordinate rows whose LSTM runs on its own.
 * Given the gradients of its rows at each step it returns their updates (no activations kept,
 * except by a kernel shard whose truncation fits a small budget: `kernelShard.ts`); at the end,
 * given ∂S/∂Δt of its rows, it replays its rows block by block (`replay.ts`) and returns its part
 * of ∂S/∂φ and its final LSTM states. Rows are independent given their
 * gradients, so the shards of a truncation can run anywhere — here, or on a worker thread
 * (`workerShard.ts`) — and their meta-gradients add up to the whole one.
 */
import * as tf from '@tensorflow/tfjs';
import { backwardWeights, lstmForward, type LstmStates } from '../learned/lstmCell.ts';
import { metaParamShapes, type LstmConfig, type MetaParams } from '../learned/lstmConfig.ts';
import { kernelThreads, lstmRowKernel } from '../learned/rowKernel.ts';
import { KernelShard } from './kernelShard.ts';
import { replayMetaGradient } from './replay.ts';

/**
 * What a shard needs to start a truncation: φ in `metaParamShapes` order and its rows' states.
 * The state arrays are handed over: the shard may keep and change them.
 */
export interface ShardStart {
  config: LstmConfig;
  phi: Float32Array[];
  count: number;
  rows: number;
  /** Steps the truncation will run, when known (a kernel shard keeps activations if they fit). */
  steps?: number;
  /** h and c per layer, [rows × units]; m and v [rows] for 'adam' inputs. */
  h: Float32Array[];
  c: Float32Array[];
  m?: Float32Array;
  v?: Float32Array;
}

/** A shard's result: its part of ∂S/∂φ (`metaParamShapes` order) and its rows' final states. */
export interface ShardResult {
  metaGrads: Float32Array[];
  h: Float32Array[];
  c: Float32Array[];
  m?: Float32Array;
  v?: Float32Array;
}

/** The operations of a shard, local or remote; `forward` and `finish` may overlap other work. */
export interface Shard {
  /** Starts a truncation. */
  begin(start: ShardStart): void;
  /** Sends the rows' gradients of the next step; `updates` returns their updates. */
  forward(grads: Float32Array): void;
  /** The updates of the step sent last. */
  updates(): Float32Array;
  /** Sends ∂S/∂Δt of the rows for every step (scaled suffix sums); `result` returns the outcome. */
  finish(dUpdates: Float32Array[], blockRows: number): void;
  /** ∂S/∂φ of the rows and their final states. */
  result(): ShardResult;
}

/** A shard computed in this thread with the current TensorFlow.js backend. */
export class LocalShard implements Shard {
  private start: ShardStart | undefined;
  private phi: MetaParams = {};
  private states: LstmStates | undefined;
  private inputs: Float32Array[] = [];
  private lastUpdates: Float32Array | undefined;
  private outcome: ShardResult | undefined;

  /** Starts a truncation (frees what the previous one held). */
  begin(start: ShardStart): void {
    this.release();
    this.start = start;
    this.inputs = [];
    const { config, rows } = start;
    this.phi = Object.fromEntries(metaParamShapes(config).map(([name, shape], i) => [name, tf.tensor(start.phi[i], shape)]));
    this.states = {
      h: config.hidden.map((units, l) => tf.tensor2d(start.h[l], [rows, units])),
      c: config.hidden.map((units, l) => tf.tensor2d(start.c[l], [rows, units])),
      ...(start.m ? { m: tf.tensor2d(start.m, [rows, 1]), v: tf.tensor2d(start.v!, [rows, 1]) } : {}),
    };
  }

  /** Runs the LSTM one step on the rows' gradients. */
  forward(grads: Float32Array): void {
    const start = this.requireStart();
    const count = start.count + this.inputs.length;
    this.inputs.push(grads);
    const previous = this.states!;
    const out = tf.tidy(() => {
      const o = lstmForward(start.config, this.phi, tf.tensor2d(grads, [start.rows, 1]), previous, count);
      return { update: o.update, states: o.states } as never;
    }) as { update: tf.Tensor2D; states: LstmStates };
    this.lastUpdates = out.update.dataSync() as Float32Array;
    out.update.dispose();
    tf.dispose(stateTensors(previous));
    this.states = out.states;
  }

  /** The updates of the last step. */
  updates(): Float32Array {
    if (!this.lastUpdates) throw new Error('no step has been run');
    return this.lastUpdates;
  }

  /** Replays the rows and back-propagates. */
  finish(dUpdates: Float32Array[], blockRows: number): void {
    const start = this.requireStart();
    const named = tf.tidy(() =>
      replayMetaGradient(start.config, this.phi, backwardWeights(start.config, this.phi), { ...start, inputs: this.inputs, dUpdates }, blockRows),
    );
    const states = this.states!;
    this.outcome = {
      metaGrads: metaParamShapes(start.config).map(([name]) => named[name].dataSync() as Float32Array),
      h: states.h.map((t) => t.dataSync() as Float32Array),
      c: states.c.map((t) => t.dataSync() as Float32Array),
      ...(states.m ? { m: states.m.dataSync() as Float32Array, v: states.v!.dataSync() as Float32Array } : {}),
    };
    tf.dispose(Object.values(named));
    this.release();
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

  private release(): void {
    tf.dispose(Object.values(this.phi));
    this.phi = {};
    if (this.states) tf.dispose(stateTensors(this.states));
    this.states = undefined;
  }
}

/** Every tensor of a set of LSTM states. */
function stateTensors(s: LstmStates): tf.Tensor[] {
  return [...s.h, ...s.c, ...(s.m ? [s.m, s.v!] : [])];
}

/**
 * The shard this thread computes: on the registered row kernel if there is one (with `threads`
 * threads, by default `kernelThreads()`), else on TensorFlow.js.
 */
export function createLocalShard(threads = kernelThreads()): Shard {
  const kernel = lstmRowKernel();
  return kernel ? new KernelShard(kernel, threads) : new LocalShard();
}
