/**
 * The plain, obviously-correct paths the fast meta-gradient (`truncation.ts`) is tested against.
 *
 * - `referenceMetaGradient`: TensorFlow.js autodiff through the whole truncation — the LSTM's
 *   forward steps (`engine/tfjs/lstmCell.ts`) and θ on the tape — with the optimizee gradient
 *   fed to the LSTM computed from θ's values (a stop-gradient); `stopGradient = false` feeds the
 *   gradient still attached to θ instead (second derivatives leak into ∂L/∂φ), which tests use
 *   to show the check has teeth.
 * - `frozenGradientMetaLoss`: the true truncated meta-loss as a function of φ, with the
 *   gradients fed to the LSTM frozen at given values: finite differences of it check both.
 * - `referenceImitation`: the imitation loss Σ_t ½·mean_j (Δlearned_t − Δteacher_t)² along a
 *   given teacher trajectory (fed gradients and the teacher's updates, which do not depend on φ)
 *   and its gradient by autodiff.
 *
 * The base step, if any, depends on the fed gradients only: it is computed on arrays and added
 * as a constant, times e^β when its rate is learned (β, the last value of φ, is on the tape).
 * An LSTM with parameter inputs is fed θ's values the same way, as constants (`Fed.params`), as
 * the fast path holds them.
 */
import * as tf from '@tensorflow/tfjs';
import { lstmForward, metaParamTensors, type TensorStates } from '../engine/tfjs/lstmCell.ts';
import { baseOptimizer } from '../learned/baseStep.ts';
import { lstmParamShapes, type LstmConfig } from '../learned/lstmConfig.ts';
import { flatValues, paramTensors, type MetaObjective, type Task } from '../tasks/task.ts';
import type { SavedOptimizee } from './truncation.ts';

/** The LSTM states of a saved optimizee as tensors. */
function stateTensors(config: LstmConfig, start: SavedOptimizee): TensorStates {
  const n = start.theta.length;
  const { h, c, m, v } = start.lstm;
  return {
    h: config.hidden.map((units, l) => tf.tensor2d(h[l], [n, units])),
    c: config.hidden.map((units, l) => tf.tensor2d(c[l], [n, units])),
    ...(m && v ? { m: tf.tensor2d(m, [n, 1]), v: tf.tensor2d(v, [n, 1]) } : {}),
  };
}

/** φ as the tensors the tape differentiates: the LSTM's named tensors, then β (a scalar) when the base rate is learned. */
function phiTensors(config: LstmConfig, phi: Float32Array): tf.Tensor[] {
  const list = Object.values(metaParamTensors(config, phi));
  return config.base?.learnRate ? [...list, tf.scalar(phi[phi.length - 1])] : list;
}

/** What the LSTM is fed at one step: the gradient and, for parameter inputs, θ's values (flat constants). */
interface Fed {
  grad: tf.Tensor;
  params?: tf.Tensor;
}

/**
 * The learned optimizer's updates from `start` for each step's fed gradient (and θ), as tensors
 * of φ's tensors; `onStep(t, update)` receives each step's update (a tensor on the tape) and
 * returns what to feed next, or null to stop.
 */
function unrollUpdates(config: LstmConfig, phi: tf.Tensor[], start: SavedOptimizee, firstFed: Fed, onStep: (t: number, update: tf.Tensor) => Fed | null): void {
  const named = Object.fromEntries(lstmParamShapes(config).map(([name], i) => [name, phi[i]]));
  const base = config.base ? baseOptimizer(config.base) : null;
  const baseState = base ? base.load(start.base!, start.theta.length) : null;
  const baseScale = config.base?.learnRate ? phi[phi.length - 1].exp() : tf.scalar(1);
  const n = start.theta.length;
  let states = stateTensors(config, start);
  let fed: Fed | null = firstFed;
  for (let t = 0; fed; t++) {
    const out = lstmForward(config, named, fed.grad.reshape([n, 1]) as tf.Tensor2D, states, start.lstm.count + t, fed.params?.reshape([n, 1]) as tf.Tensor2D | undefined);
    states = out.states;
    let update: tf.Tensor = out.update.reshape([n]);
    if (base) update = update.add(tf.tensor1d(base.update(fed.grad.dataSync() as Float32Array, baseState)).mul(baseScale));
    fed = onStep(t, update);
  }
}

/** θ plus a flat update, as parameter tensors. */
function moved(params: tf.Tensor[], update: tf.Tensor): tf.Tensor[] {
  let offset = 0;
  return params.map((p) => {
    const part = update.slice(offset, p.size).reshape(p.shape);
    offset += p.size;
    return p.add(part);
  });
}

/**
 * The truncated meta-loss from `start` over `steps` steps, with `feed(params, t)` giving what
 * the LSTM is fed at each step, as a tensor of φ's tensors.
 */
function metaLossTensor(config: LstmConfig, phi: tf.Tensor[], task: Task, start: SavedOptimizee, steps: number, objective: MetaObjective, feed: (params: tf.Tensor[], t: number) => Fed): tf.Scalar {
  let params = paramTensors(start.theta, task.paramShapes);
  let metaLoss = tf.scalar(0);
  unrollUpdates(config, phi, start, feed(params, 0), (t, update) => {
    params = moved(params, update);
    const losses = task.loss(params, start.step + t + 1);
    metaLoss = metaLoss.add(objective === 'log' ? losses.log().mean() : objective === 'log-mean' ? losses.mean().log() : losses.mean());
    return t + 1 < steps ? feed(params, t + 1) : null;
  });
  return metaLoss as tf.Scalar;
}

/** ∂L/∂φ (flat) by autodiff through θ, the meta-loss, and the gradients the LSTM was fed (for freezing). */
export function referenceMetaGradient(
  config: LstmConfig,
  phi: Float32Array,
  task: Task,
  start: SavedOptimizee,
  steps: number,
  { stopGradient = true, objective = 'loss' }: { stopGradient?: boolean; objective?: MetaObjective } = {},
): { metaGrad: Float32Array; fedGrads: Float32Array[]; fedParams: Float32Array[]; metaLoss: number } {
  const fedGrads: Float32Array[] = [];
  const fedParams: Float32Array[] = [];
  const feed = (params: tf.Tensor[], t: number): Fed => {
    // With stopGradient = false this is the classic bug: second derivatives leak into ∂L/∂φ.
    const grads = stopGradient
      ? [tf.tensor1d(task.lossAndGrad(flatValues(params), start.step + t).grad)]
      : tf.grads((...ps: tf.Tensor[]) => {
          const l = task.loss(ps, start.step + t);
          return task.objective === 'sum' ? l.sum() : l.mean();
        })(params);
    const joined = tf.concat(grads.map((g) => g.reshape([g.size])));
    fedGrads.push((joined.dataSync() as Float32Array).slice());
    if (!config.paramInput) return { grad: joined };
    fedParams.push(flatValues(params));
    return { grad: joined, params: tf.tensor1d(fedParams[t]) };
  };
  return tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => metaLossTensor(config, p, task, start, steps, objective, feed))(phiTensors(config, phi));
    return { metaGrad: flatValues(grads), fedGrads, fedParams, metaLoss: value.dataSync()[0] };
  });
}

/**
 * L(φ) = Σ_s l(θs) from `start` where the LSTM is fed `fedGrads[t]` instead of ∇l(θt) (and, with
 * parameter inputs, `fedParams[t]` instead of θt).
 */
export function frozenGradientMetaLoss(config: LstmConfig, phi: Float32Array, task: Task, start: SavedOptimizee, fedGrads: Float32Array[], objective: MetaObjective = 'loss', fedParams: Float32Array[] = []): number {
  const fed = (t: number): Fed => ({ grad: tf.tensor1d(fedGrads[t]), ...(config.paramInput ? { params: tf.tensor1d(fedParams[t]) } : {}) });
  return tf.tidy(() => metaLossTensor(config, phiTensors(config, phi), task, start, fedGrads.length, objective, (_, t) => fed(t)).dataSync()[0]);
}

/**
 * The imitation loss Σ_t ½·mean_j (Δlearned_t − Δteacher_t)² from `start` along a teacher's
 * trajectory — the gradients fed at each step and the teacher's updates — and its gradient by
 * autodiff (flat, φ's order).
 */
export function referenceImitation(config: LstmConfig, phi: Float32Array, start: SavedOptimizee, fedGrads: Float32Array[], teacherUpdates: Float32Array[]): { loss: number; grad: Float32Array } {
  // With parameter inputs the LSTM reads θ along the teacher's trajectory.
  const fed = (t: number, theta: Float32Array): Fed => ({ grad: tf.tensor1d(fedGrads[t]), ...(config.paramInput ? { params: tf.tensor1d(theta) } : {}) });
  return tf.tidy(() => {
    const lossOf = (...p: tf.Tensor[]) => {
      let loss = tf.scalar(0);
      const theta = start.theta.slice();
      unrollUpdates(config, p, start, fed(0, theta), (t, update) => {
        loss = loss.add(update.sub(tf.tensor1d(teacherUpdates[t])).square().mean().mul(0.5));
        for (let j = 0; j < theta.length; j++) theta[j] += teacherUpdates[t][j];
        return t + 1 < fedGrads.length ? fed(t + 1, theta) : null;
      });
      return loss as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(lossOf)(phiTensors(config, phi));
    return { loss: value.dataSync()[0], grad: flatValues(grads) };
  });
}
