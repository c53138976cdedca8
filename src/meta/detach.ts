/**
 * A copy of a tensor with no link to any gradient tape: the stop-gradient that keeps the
 * optimizee's gradient a constant input of the LSTM (no second derivatives).
 */
import * as tf from '@tensorflow/tfjs';

/** A fresh tensor holding `x`'s values, unconnected to any tape. */
export function detach<T extends tf.Tensor>(x: T): T {
  return tf.tensor(x.dataSync(), x.shape, x.dtype) as T;
}

/** `detach` for every tensor of a list. */
export function detachAll(xs: tf.Tensor[]): tf.Tensor[] {
  return xs.map((x) => detach(x));
}
