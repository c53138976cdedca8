/**
 * Rows of the coordinatewise LSTM across parameter tensors: every coordinate of every tensor
 * is one row, so several tensors' gradients and states can run as one batch (axis-0 concat and
 * split, both cheap on every backend) and be split back afterwards.
 */
import * as tf from '@tensorflow/tfjs';
import type { LstmStates } from './lstmCell.ts';
import type { LstmConfig } from './lstmConfig.ts';

/** The tensors' values as one column [Σ size, 1], in order. */
export function stackRows(tensors: tf.Tensor[]): tf.Tensor2D {
  return tf.tidy(() => tf.concat(tensors.map((t) => t.reshape([t.size, 1])), 0) as tf.Tensor2D);
}

/** Every tensor of a set of LSTM states. */
export function stateTensors(s: LstmStates): tf.Tensor[] {
  return [...s.h, ...s.c, ...(s.m ? [s.m, s.v!] : [])];
}

/** One set of states whose rows are those of `perParam`, one after another. */
export function mergeStates(config: LstmConfig, perParam: LstmStates[]): LstmStates {
  if (perParam.length === 1) return perParam[0];
  const rows = (pick: (s: LstmStates) => tf.Tensor2D) => tf.concat(perParam.map(pick), 0) as tf.Tensor2D;
  return {
    h: config.hidden.map((_, l) => rows((s) => s.h[l])),
    c: config.hidden.map((_, l) => rows((s) => s.c[l])),
    ...(config.inputs === 'adam' ? { m: rows((s) => s.m!), v: rows((s) => s.v!) } : {}),
  };
}

/** The inverse of `mergeStates`: the states of each tensor, given each tensor's row count. */
export function splitStates(config: LstmConfig, merged: LstmStates, sizes: number[]): LstmStates[] {
  if (sizes.length === 1) return [merged];
  const split = (t: tf.Tensor2D) => tf.split(t, sizes, 0) as tf.Tensor2D[];
  const h = merged.h.map(split);
  const c = merged.c.map(split);
  const m = merged.m ? split(merged.m) : undefined;
  const v = merged.v ? split(merged.v) : undefined;
  return sizes.map((_, i) => ({
    h: h.map((parts) => parts[i]),
    c: c.map((parts) => parts[i]),
    ...(m && v ? { m: m[i], v: v[i] } : {}),
  }));
}
