/** The paper's gradient preprocessing (`learned/preprocess.ts`) on TensorFlow.js tensors. */
import * as tf from '@tensorflow/tfjs';
import { LOG_EPSILON, PAPER_P } from '../../learned/preprocess.ts';

/** Maps gradients [n, 1] to the two preprocessed features [n, 2]. */
export function logAndSign(grads: tf.Tensor2D, p: number = PAPER_P): tf.Tensor2D {
  return tf.tidy(() => {
    const sign = grads.mul(Math.exp(p)).clipByValue(-1, 1);
    return tf.concat([logMagnitude(grads, p), sign], 1) as tf.Tensor2D;
  });
}

/** The paper's log-magnitude feature max(log(|x| + ε)/p, −1) of every value of `x` (same shape). */
export function logMagnitude(x: tf.Tensor2D, p: number = PAPER_P): tf.Tensor2D {
  return tf.tidy(() => x.abs().add(LOG_EPSILON).log().div(p).maximum(-1) as tf.Tensor2D);
}
