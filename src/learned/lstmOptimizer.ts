/**
 * The coordinatewise LSTM optimizer m(∇t, ht; φ) of Andrychowicz et al. (2016), §2.1:
 * every coordinate of every parameter tensor is one row of a batch run through the same LSTM,
 * and the head's output is that coordinate's update: θ(t+1) = θ(t) + m(∇t, ht; φ).
 *
 * `lstmOptimizer(config, φ)` is an ordinary `Optimizer`; the meta-gradient code calls it with
 * φ on a gradient tape, evaluation code calls it like any other optimizer.
 */
import * as tf from '@tensorflow/tfjs';
import type { OptState, Optimizer, UpdateResult } from '../optimizers/optimizer.ts';
import { GATES, type LstmConfig, type MetaParams } from './lstmConfig.ts';
import { logAndSign } from './preprocess.ts';

/** tanh as 2σ(2x) − 1: the same function, much faster than the native kernel on wasm. */
export function fastTanh(x: tf.Tensor): tf.Tensor {
  return x.mul(2).sigmoid().mul(2).sub(1);
}

/** One LSTM layer step for a batch of rows: returns the new (h, c). */
export function lstmLayerStep(
  phi: MetaParams,
  layer: number,
  x: tf.Tensor2D,
  h: tf.Tensor2D,
  c: tf.Tensor2D,
): { h: tf.Tensor2D; c: tf.Tensor2D } {
  const [i, f, g, o] = GATES.map((gate) => {
    const p = `lstm${layer}.${gate}`;
    return tf.matMul(x, phi[`${p}.wx`] as tf.Tensor2D).add(tf.matMul(h, phi[`${p}.wh`] as tf.Tensor2D)).add(phi[`${p}.b`]);
  });
  const cNext = f.sigmoid().mul(c).add(i.sigmoid().mul(fastTanh(g))) as tf.Tensor2D;
  const hNext = o.sigmoid().mul(fastTanh(cNext)) as tf.Tensor2D;
  return { h: hNext, c: cNext };
}

/** The state slot names: h0, c0, h1, c1, … for each layer. */
export function stateSlotNames(config: LstmConfig): string[] {
  return config.hidden.flatMap((_, l) => [`h${l}`, `c${l}`]);
}

/** The learned optimizer for meta-parameters `phi` (not copied: the caller keeps them alive). */
export function lstmOptimizer(config: LstmConfig, phi: MetaParams): Optimizer {
  const slotNames = stateSlotNames(config);
  return {
    name: 'lstm',
    hyperparams: { ...config },
    init(params: tf.Tensor[]): OptState {
      const slots: Record<string, tf.Tensor[]> = {};
      config.hidden.forEach((units, l) => {
        slots[`h${l}`] = params.map((p) => tf.zeros([p.size, units]));
        slots[`c${l}`] = params.map((p) => tf.zeros([p.size, units]));
      });
      return { count: 0, slots };
    },
    update(grads: tf.Tensor[], state: OptState): UpdateResult {
      return tf.tidy(() => {
        const slots: Record<string, tf.Tensor[]> = Object.fromEntries(slotNames.map((n) => [n, []]));
        const updates = grads.map((g, i) => {
          const column = g.reshape([g.size, 1]) as tf.Tensor2D;
          let x = config.preprocessP === null ? column : logAndSign(column, config.preprocessP);
          config.hidden.forEach((_, l) => {
            const next = lstmLayerStep(phi, l, x, state.slots[`h${l}`][i] as tf.Tensor2D, state.slots[`c${l}`][i] as tf.Tensor2D);
            slots[`h${l}`].push(next.h);
            slots[`c${l}`].push(next.c);
            x = next.h;
          });
          const out = tf.matMul(x, phi['head.w'] as tf.Tensor2D).add(phi['head.b']).mul(config.outputScale);
          return out.reshape(g.shape);
        });
        return { updates, state: { count: state.count + 1, slots } };
      });
    },
  };
}
