/**
 * The meta-gradient of one truncation of truncated BPTT, computed cheaply and exactly.
 *
 * Meta-loss of a truncation: L(φ) = Σ_{s=1..T} l(θs), with θs = θ0 + Σ_{t<s} Δt and l the mean
 * member loss. The optimizee gradient ∇t fed to the LSTM is held constant (no second
 * derivatives, paper §2), so ∂L/∂Δt = Σ_{s>t} ∇l(θs): a suffix sum of gradients the unroll
 * computes anyway. Hence ∂L/∂φ is exactly the gradient of the surrogate
 *
 *   S(φ) = Σ_t ⟨Δt(φ), stop(Σ_{s>t} ∇s)⟩,
 *
 * with the LSTM run over the recorded gradient sequence. The optimizee is never on a tape: the
 * LSTM is back-propagated through time by hand (`lstmCell.ts`), and `referenceMetaGradient.ts`
 * keeps the plain autodiff path that tests compare this with.
 */
import * as tf from '@tensorflow/tfjs';
import {
  accumulateWeightGrads,
  backwardWeights,
  lstmBackward,
  lstmForward,
  type StateGrads,
  type StepOutput,
  type StepRecord,
} from '../learned/lstmCell.ts';
import { baseOptimizer, baseStateOf, withBaseState } from '../learned/baseStep.ts';
import { metaParamShapes, metaParamsFromList, type LstmConfig } from '../learned/lstmConfig.ts';
import { stateFrom, statesOf } from '../learned/lstmOptimizer.ts';
import type { OptState } from '../optimizers/optimizer.ts';
import { lossAndGrad, meanLossScale, metaObjectiveGrads, type MetaObjective, type Task } from '../tasks/task.ts';
import { lstmRowKernel } from '../learned/rowKernel.ts';
import type { Shard } from './shard.ts';
import { shardedTruncation } from './shardedTruncation.ts';

/**
 * Where a truncation starts: θ and the learned optimizer's state (LSTM states, and the base
 * step's with `config.base`; all constants), and the step index.
 */
export interface TruncationStart {
  params: tf.Tensor[];
  state: OptState;
  step: number;
}

/** The meta-gradient of one truncation and where the next one starts. */
export interface TruncationResult {
  /** ∂L/∂φ in `metaParamShapes` order. */
  metaGrads: tf.Tensor[];
  /** Mean member loss after each update of the truncation (s = 1..T); L is their sum. */
  losses: number[];
  /** θ, LSTM state and step after the truncation (new tensors, owned by the caller). */
  next: TruncationStart;
}

/** Coordinate rows above which the backward pass replays the LSTM in blocks of this many rows. */
export const DEFAULT_BLOCK_ROWS = 16384;

/** With remote shards (worker threads), truncations of at least this many rows are split among them. */
export const PARALLEL_MIN_ROWS = 4096;

/**
 * The replay block size `train` uses with worker threads: small blocks bound memory (MNIST:
 * under 600 MB in all) and hardly change the speed, since the shards replay anyway.
 */
export const SHARD_BLOCK_ROWS = 1024;

/**
 * Runs `unrollLength` steps of the LSTM optimizer from `start` and returns ∂L/∂φ, where L sums
 * the mean member loss ('loss', the paper) or the mean member log-loss ('log') over the steps.
 * With a row kernel registered (`learned/rowKernel.ts`: the native one in Node), the LSTM runs on
 * it in shards as below. Otherwise, up to `blockRows` coordinates, the forward pass keeps its
 * activations for the backward pass; beyond, or with `remoteShards` (worker threads) and at
 * least `PARALLEL_MIN_ROWS` coordinates, the rows are split into shards that keep only their
 * inputs and replay the LSTM block by block (`shardedTruncation.ts`): memory stays bounded for
 * any model size and the shards run in parallel, at the cost of a second forward pass.
 */
export function truncatedMetaGradient(
  config: LstmConfig,
  phiList: tf.Tensor[],
  task: Task,
  start: TruncationStart,
  unrollLength: number,
  objective: MetaObjective = 'loss',
  blockRows: number = DEFAULT_BLOCK_ROWS,
  remoteShards: Shard[] = [],
): TruncationResult {
  const rows = start.params.reduce((n, p) => n + p.size, 0);
  const split = rows > blockRows || (remoteShards.length > 0 && rows >= PARALLEL_MIN_ROWS);
  if (split || lstmRowKernel()) {
    return shardedTruncation(config, phiList, task, start, unrollLength, objective, blockRows, split ? remoteShards : []);
  }
  const phi = metaParamsFromList(config, phiList);
  const base = config.base ? baseOptimizer(config.base) : null;
  const scale = meanLossScale(task);
  const losses: number[] = [];
  const kept = tf.tidy(() => {
    // Forward: run the optimizer and keep each step's activations.
    const outs: StepOutput[][] = [];
    const gradsAfter: tf.Tensor[][] = [];
    let params = start.params;
    let states = params.map((_, i) => statesOf(config, start.state, i));
    let baseState = base ? baseStateOf(start.state) : null;
    let grads = tf.tidy(() => lossAndGrad(task, params, start.step).grads);
    for (let t = 0; t < unrollLength; t++) {
      const count = start.state.count + t;
      const stepOuts = grads.map((g, i) =>
        tf.tidy(() => lstmForward(config, phi, g.reshape([g.size, 1]) as tf.Tensor2D, states[i], count) as never) as StepOutput,
      );
      outs.push(stepOuts);
      states = stepOuts.map((o) => o.states);
      // The hand-designed part of the step, if any, does not depend on φ.
      const b = base ? base.update(grads, baseState!, params) : null;
      if (b) baseState = b.state;
      params = params.map((p, i) => {
        const moved = p.add(stepOuts[i].update.reshape(p.shape));
        return b ? moved.add(b.updates[i]) : moved;
      });
      const evaluated = lossAndGrad(task, params, start.step + t + 1);
      losses.push(evaluated.losses.mean().dataSync()[0]);
      grads = evaluated.grads;
      gradsAfter.push(metaObjectiveGrads(objective, grads, evaluated.losses));
    }
    // Backward: ∂S/∂Δt = scale · Σ_{s>t} ∇s, back through the LSTM from t = T−1 to 0.
    const weights = backwardWeights(config, phi);
    const records: StepRecord[] = [];
    let suffix: tf.Tensor2D[] = gradsAfter[unrollLength - 1].map((g) => g.reshape([g.size, 1]) as tf.Tensor2D);
    let next: Array<StateGrads | null> = params.map(() => null);
    for (let t = unrollLength - 1; t >= 0; t--) {
      if (t < unrollLength - 1) suffix = suffix.map((s, i) => s.add(gradsAfter[t][i].reshape(s.shape)) as tf.Tensor2D);
      const stepGrads = outs[t].map((out, i) =>
        tf.tidy(() => lstmBackward(config, weights, out, suffix[i].mul(scale) as tf.Tensor2D, next[i]) as never) as ReturnType<typeof lstmBackward>,
      );
      stepGrads.forEach((g, i) => records.push({ caches: outs[t][i].caches, top: outs[t][i].top, grads: g }));
      next = stepGrads.map((g) => g.states);
    }
    const named = accumulateWeightGrads(config, records);
    const state = stateFrom(config, start.state.count + unrollLength, states);
    return {
      metaGrads: metaParamShapes(config).map(([name]) => named[name]),
      params,
      state: baseState ? withBaseState(state, baseState) : state,
    };
  });
  return {
    metaGrads: kept.metaGrads,
    losses,
    next: { params: kept.params, state: kept.state, step: start.step + unrollLength },
  };
}
