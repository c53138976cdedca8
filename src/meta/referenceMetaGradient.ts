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
 *
 * The base step, if any, depends on the fed gradients only: it is computed on arrays and added
 * as a constant.
 */
import * as tf from '@tensorflow/tfjs';
import { lstmForward, metaParamTensors, type TensorStates } from '../engine/tfjs/lstmCell.ts';
import { baseOptimizer } from '../learned/baseStep.ts';
import { metaParamShapes, type LstmConfig } from '../learned/lstmConfig.ts';
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

/**
 * The truncated meta-loss from `start` over the gradients `feed(params, t)` returns for each
 * step, as a tensor of φ's (named) tensors; `fed` receives each step's fed gradient values.
 */
function metaLossTensor(
  config: LstmConfig,
  phi: tf.Tensor[],
  task: Task,
  start: SavedOptimizee,
  steps: number,
  objective: MetaObjective,
  feed: (params: tf.Tensor[], t: number) => tf.Tensor,
): tf.Scalar {
  const named = Object.fromEntries(metaParamShapes(config).map(([name], i) => [name, phi[i]]));
  const base = config.base ? baseOptimizer(config.base) : null;
  const baseState = base ? base.load(start.base!, start.theta.length) : null;
  let params = paramTensors(start.theta, task.paramShapes);
  let states = stateTensors(config, start);
  let metaLoss = tf.scalar(0);
  for (let t = 0; t < steps; t++) {
    const fed = feed(params, t).reshape([start.theta.length, 1]) as tf.Tensor2D;
    const out = lstmForward(config, named, fed, states, start.lstm.count + t);
    states = out.states;
    let update: tf.Tensor = out.update.reshape([start.theta.length]);
    if (base) update = update.add(tf.tensor1d(base.update(fed.dataSync() as Float32Array, baseState)));
    let offset = 0;
    params = params.map((p) => {
      const part = update.slice(offset, p.size).reshape(p.shape);
      offset += p.size;
      return p.add(part);
    });
    const losses = task.loss(params, start.step + t + 1);
    metaLoss = metaLoss.add((objective === 'log' ? losses.log() : losses).mean());
  }
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
): { metaGrad: Float32Array; fedGrads: Float32Array[]; metaLoss: number } {
  const fedGrads: Float32Array[] = [];
  const feed = (params: tf.Tensor[], t: number) => {
    // With stopGradient = false this is the classic bug: second derivatives leak into ∂L/∂φ.
    const grads = stopGradient
      ? [tf.tensor1d(task.lossAndGrad(flatValues(params), start.step + t).grad)]
      : tf.grads((...ps: tf.Tensor[]) => {
          const l = task.loss(ps, start.step + t);
          return task.objective === 'sum' ? l.sum() : l.mean();
        })(params);
    const joined = tf.concat(grads.map((g) => g.reshape([g.size])));
    fedGrads.push((joined.dataSync() as Float32Array).slice());
    return joined;
  };
  return tf.tidy(() => {
    const phiTensors = Object.values(metaParamTensors(config, phi));
    const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => metaLossTensor(config, p, task, start, steps, objective, feed))(phiTensors);
    return { metaGrad: flatValues(grads), fedGrads, metaLoss: value.dataSync()[0] };
  });
}

/** L(φ) = Σ_s l(θs) from `start` where the LSTM is fed `fedGrads[t]` instead of ∇l(θt). */
export function frozenGradientMetaLoss(config: LstmConfig, phi: Float32Array, task: Task, start: SavedOptimizee, fedGrads: Float32Array[], objective: MetaObjective = 'loss'): number {
  return tf.tidy(() => {
    const phiTensors = Object.values(metaParamTensors(config, phi));
    return metaLossTensor(config, phiTensors, task, start, fedGrads.length, objective, (_, t) => tf.tensor1d(fedGrads[t])).dataSync()[0];
  });
}
