/**
 * The coordinatewise LSTM optimizer m(∇t, ht; φ) of Andrychowicz et al. (2016), §2.1:
 * every coordinate of every parameter tensor is one row of a batch run through the same LSTM,
 * and the head's output is that coordinate's update: θ(t+1) = θ(t) + m(∇t, ht; φ).
 *
 * `lstmOptimizer(config, φ)` is an ordinary `Optimizer`; evaluation code calls it like any
 * other optimizer, and the reference meta-gradient calls it with φ on a gradient tape.
 */
import * as tf from '@tensorflow/tfjs';
import type { OptState, Optimizer, UpdateResult } from '../optimizers/optimizer.ts';
import { lstmForward, lstmInput, type LstmStates } from './lstmCell.ts';
import type { LstmConfig, MetaParams } from './lstmConfig.ts';

/** The state slot names: h0, c0, h1, c1, … for each layer. */
export function stateSlotNames(config: LstmConfig): string[] {
  return config.hidden.flatMap((_, l) => [`h${l}`, `c${l}`]);
}

/** The LSTM states of parameter `i` held in an optimizer state. */
export function statesOf(config: LstmConfig, state: OptState, i: number): LstmStates {
  return {
    h: config.hidden.map((_, l) => state.slots[`h${l}`][i] as tf.Tensor2D),
    c: config.hidden.map((_, l) => state.slots[`c${l}`][i] as tf.Tensor2D),
  };
}

/** An optimizer state from the LSTM states of each parameter. */
export function stateFrom(config: LstmConfig, count: number, perParam: LstmStates[]): OptState {
  const slots: Record<string, tf.Tensor[]> = {};
  config.hidden.forEach((_, l) => {
    slots[`h${l}`] = perParam.map((s) => s.h[l]);
    slots[`c${l}`] = perParam.map((s) => s.c[l]);
  });
  return { count, slots };
}

/** The learned optimizer for meta-parameters `phi` (not copied: the caller keeps them alive). */
export function lstmOptimizer(config: LstmConfig, phi: MetaParams): Optimizer {
  return {
    name: 'lstm',
    hyperparams: { ...config },
    init(params: tf.Tensor[]): OptState {
      const zeros = (p: tf.Tensor, units: number) => tf.zeros([p.size, units]) as tf.Tensor2D;
      return stateFrom(config, 0, params.map((p) => ({ h: config.hidden.map((u) => zeros(p, u)), c: config.hidden.map((u) => zeros(p, u)) })));
    },
    update(grads: tf.Tensor[], state: OptState): UpdateResult {
      return tf.tidy(() => {
        const outs = grads.map((g, i) => lstmForward(config, phi, lstmInput(config, g.reshape([g.size, 1])), statesOf(config, state, i)));
        return {
          updates: outs.map((out, i) => out.update.reshape(grads[i].shape)),
          state: stateFrom(config, state.count + 1, outs.map((out) => out.states)),
        };
      });
    },
  };
}
