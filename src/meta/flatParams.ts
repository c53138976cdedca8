/**
 * φ as one flat vector for the meta-optimizer. φ is 26 small tensors (for the paper's LSTM), and
 * on TensorFlow.js every op costs about the same whatever its size, so Adam and gradient clipping
 * over the list cost ~2 ms per truncation; over one vector they cost ~0.3 ms, splits and joins
 * included. The order is `metaParamShapes` order; the values are the same either way.
 */
import * as tf from '@tensorflow/tfjs';
import { step, type OptState, type Optimizer } from '../optimizers/optimizer.ts';

/** The tensors' values one after another, as one new 1-D tensor. */
export function joinTensors(tensors: tf.Tensor[]): tf.Tensor1D {
  return tf.tidy(() => tf.concat(tensors.map((t) => t.reshape([-1]))) as tf.Tensor1D);
}

/** A 1-D tensor cut into new tensors of `shapes` (the inverse of `joinTensors`). */
export function splitTensor(flat: tf.Tensor, shapes: number[][]): tf.Tensor[] {
  return tf.tidy(() => {
    const parts = tf.split(flat, shapes.map((s) => s.reduce((a, b) => a * b, 1)));
    return parts.map((p, i) => p.reshape(shapes[i]));
  });
}

/** An optimizer state over a list of tensors as the same state over their joined vector (new tensors). */
export function joinState(state: OptState): OptState {
  return { count: state.count, slots: Object.fromEntries(Object.entries(state.slots).map(([k, ts]) => [k, [joinTensors(ts)]])) };
}

/** An optimizer state over a joined vector as the state over tensors of `shapes` (new tensors). */
export function splitState(state: OptState, shapes: number[][]): OptState {
  return { count: state.count, slots: Object.fromEntries(Object.entries(state.slots).map(([k, [flat]]) => [k, splitTensor(flat, shapes)])) };
}

/**
 * One step of `optimizer` (whose state is over the joined vector) on tensors of `shapes` with the
 * joined gradient `grad`: returns the new tensors and state; `params` and `state` are disposed.
 */
export function joinedStep(optimizer: Optimizer, params: tf.Tensor[], grad: tf.Tensor, state: OptState, shapes: number[][]): { params: tf.Tensor[]; state: OptState } {
  const joined = joinTensors(params);
  tf.dispose(params);
  const next = step(optimizer, [joined], [grad], state);
  const split = splitTensor(next.params[0], shapes);
  tf.dispose(next.params);
  return { params: split, state: next.state };
}
