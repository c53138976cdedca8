/**
 * The plain, obviously-correct paths the fast meta-gradient is tested against.
 *
 * - `referenceMetaGradient`: autodiff through the whole truncation (θ on the tape), with the
 *   optimizee gradient fed to the LSTM computed from a detached copy of θ (stop-gradient);
 *   `stopGradient = false` keeps θ attached there, which tests use to show the check has teeth.
 * - `frozenGradientMetaLoss`: the true truncated meta-loss as a function of φ, with the
 *   gradients fed to the LSTM frozen at given values: finite differences of it check both.
 */
import * as tf from '@tensorflow/tfjs';
import { lstmOptimizer } from '../learned/lstmOptimizer.ts';
import { metaParamsFromList, type LstmConfig } from '../learned/lstmConfig.ts';
import { lossAndGrad, type Task } from '../tasks/task.ts';
import { detachAll } from './detach.ts';
import type { TruncationStart } from './metaGradient.ts';

/** ∂L/∂φ by autodiff through θ, and the gradients the LSTM was fed (for freezing). */
export function referenceMetaGradient(
  config: LstmConfig,
  phiList: tf.Tensor[],
  task: Task,
  start: TruncationStart,
  unrollLength: number,
  stopGradient = true,
  objective: 'loss' | 'log' = 'loss',
): { metaGrads: tf.Tensor[]; fedGrads: tf.Tensor[][]; metaLoss: number } {
  const fedGrads: tf.Tensor[][] = [];
  const { value, grads } = tf.valueAndGrads((...phi: tf.Tensor[]) => {
    const optimizer = lstmOptimizer(config, metaParamsFromList(config, phi), null);
    let params = start.params;
    let state = start.state;
    let metaLoss = tf.scalar(0);
    for (let t = 0; t < unrollLength; t++) {
      // With stopGradient = false this is the classic bug: second derivatives leak into ∂L/∂φ.
      const fed = stopGradient ? lossAndGrad(task, detachAll(params), start.step + t).grads : lossAndGrad(task, params, start.step + t).grads;
      fedGrads.push(fed.map((g) => tf.keep(g.clone())));
      const result = optimizer.update(fed, state, params);
      state = result.state;
      params = params.map((p, i) => p.add(result.updates[i]));
      const losses = task.loss(params, start.step + t + 1);
      metaLoss = metaLoss.add((objective === 'log' ? losses.log() : losses).mean());
    }
    return metaLoss as tf.Scalar;
  })(phiList);
  const metaLoss = value.dataSync()[0];
  value.dispose();
  return { metaGrads: grads, fedGrads, metaLoss };
}

/** L(φ) = Σ_s l(θs) where the LSTM is fed `fedGrads[t]` instead of ∇l(θt). */
export function frozenGradientMetaLoss(
  config: LstmConfig,
  phiList: tf.Tensor[],
  task: Task,
  start: TruncationStart,
  fedGrads: tf.Tensor[][],
): number {
  return tf.tidy(() => {
    const optimizer = lstmOptimizer(config, metaParamsFromList(config, phiList), null);
    let params = start.params;
    let state = start.state;
    let metaLoss = 0;
    fedGrads.forEach((grads, t) => {
      const result = optimizer.update(grads, state, params);
      state = result.state;
      params = params.map((p, i) => p.add(result.updates[i]));
      metaLoss += task.loss(params, start.step + t + 1).mean().dataSync()[0];
    });
    return metaLoss;
  });
}
