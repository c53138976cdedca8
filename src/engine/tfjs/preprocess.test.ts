import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { assertClose, setupBackend } from '../../testing/setup.ts';
import { logAndSign } from './preprocess.ts';

describe('gradient preprocessing (Appendix A, p = 10)', () => {
  before(setupBackend);

  it('maps large gradients to (log|∇|/p, sgn ∇) and small ones to (−1, e^p ∇)', () => {
    // 2: (ln 2 / 10, 1) = (0.0693147, 1);   −1: (0, −1);   e^−12 (< e^−10): (−1, e^−2 = 0.135335);
    // −3e−5 (< e^−10 ≈ 4.54e−5): (−1, −3e−5·e^10 = −0.660794);   0: (−1, 0).
    const out = logAndSign(tf.tensor2d([2, -1, Math.exp(-12), -3e-5, 0], [5, 1]));
    assertClose(out.dataSync(), [0.0693147, 1, 0, -1, -1, 0.135335, -1, -0.660794, -1, 0], { rtol: 1e-4, atol: 1e-5 });
  });
});
