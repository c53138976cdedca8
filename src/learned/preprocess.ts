/**
 * Gradient preprocessing of Andrychowicz et al. (2016), Appendix A, with p = 10:
 *
 *   ∇ → ( log|∇| / p , sgn(∇) )   if |∇| ≥ e^(−p)
 *   ∇ → ( −1         , e^p · ∇ )  otherwise
 *
 * written, as in deepmind/learning-to-learn `LogAndSign`, as
 * ( max(log(|∇| + ε)/p, −1), clamp(e^p·∇, −1, 1) ).
 */
import * as tf from '@tensorflow/tfjs';

/** The paper's constant p (Appendix A). */
export const PAPER_P = 10;

/** Keeps log(0) finite; float32 machine epsilon as in the reference implementation. */
const EPS = 1.1920929e-7;

/** Maps gradients [n, 1] to the two preprocessed features [n, 2]. */
export function logAndSign(grads: tf.Tensor2D, p: number = PAPER_P): tf.Tensor2D {
  return tf.tidy(() => {
    const logMagnitude = grads.abs().add(EPS).log().div(p).maximum(-1);
    const sign = grads.mul(Math.exp(p)).clipByValue(-1, 1);
    return tf.concat([logMagnitude, sign], 1) as tf.Tensor2D;
  });
}
