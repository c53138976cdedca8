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
 * with the LSTM run over the recorded gradient sequence (its hidden state carries φ-dependence
 * across steps and is back-propagated through). The optimizee is never on the tape.
 * `referenceMetaGradient.ts` keeps the plain autodiff path that tests compare this with.
 */
import * as tf from '@tensorflow/tfjs';
import { lstmOptimizer } from '../learned/lstmOptimizer.ts';
import { metaParamsFromList, type LstmConfig } from '../learned/lstmConfig.ts';
import type { OptState } from '../optimizers/optimizer.ts';
import { lossAndGrad, meanLossScale, type Task } from '../tasks/task.ts';
import { detach, detachAll } from './detach.ts';

/** Where a truncation starts: θ and the LSTM state (both constants), and the step index. */
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
  /** θ, LSTM state and step after the truncation, detached. */
  next: TruncationStart;
}

/** Runs `unrollLength` steps of the LSTM optimizer from `start` and returns ∂L/∂φ. */
export function truncatedMetaGradient(
  config: LstmConfig,
  phiList: tf.Tensor[],
  task: Task,
  start: TruncationStart,
  unrollLength: number,
): TruncationResult {
  const scale = meanLossScale(task);
  const losses: number[] = [];
  let next: TruncationStart | undefined;
  const metaGrads = tf.grads((...phi: tf.Tensor[]) => {
    const optimizer = lstmOptimizer(config, metaParamsFromList(config, phi));
    let params = start.params;
    let state = start.state;
    const updates: tf.Tensor[][] = [];
    const gradsAfter: tf.Tensor[][] = [];
    let { losses: l0, grads } = lossAndGrad(task, params, start.step);
    l0.dispose();
    for (let t = 0; t < unrollLength; t++) {
      const result = optimizer.update(grads, state, params);
      updates.push(result.updates);
      state = result.state;
      params = params.map((p, i) => p.add(detach(result.updates[i])));
      const evaluated = lossAndGrad(task, params, start.step + t + 1);
      losses.push(evaluated.losses.mean().dataSync()[0]);
      grads = evaluated.grads;
      gradsAfter.push(grads);
    }
    next = {
      params: detachAll(params).map((p) => tf.keep(p)),
      state: { count: state.count, slots: mapSlots(state, (x) => tf.keep(detach(x))) },
      step: start.step + unrollLength,
    };
    // Surrogate S = Σ_t ⟨Δt, scale · Σ_{s>t} ∇s⟩, accumulated backwards over t.
    let suffix = gradsAfter[unrollLength - 1];
    let surrogate = dot(updates[unrollLength - 1], suffix);
    for (let t = unrollLength - 2; t >= 0; t--) {
      suffix = suffix.map((g, i) => g.add(gradsAfter[t][i]));
      surrogate = surrogate.add(dot(updates[t], suffix));
    }
    return surrogate.mul(scale) as tf.Scalar;
  })(phiList);
  return { metaGrads, losses, next: next! };
}

/** Σ over tensors of ⟨a_i, b_i⟩, as a scalar. */
function dot(a: tf.Tensor[], b: tf.Tensor[]): tf.Scalar {
  return tf.addN(a.map((x, i) => x.mul(b[i]).sum())) as tf.Scalar;
}

/** Applies `f` to every slot tensor of a state. */
export function mapSlots(state: OptState, f: (x: tf.Tensor) => tf.Tensor): Record<string, tf.Tensor[]> {
  return Object.fromEntries(Object.entries(state.slots).map(([k, v]) => [k, v.map(f)]));
}
