/**
 * An optional compute kernel for the MNIST MLP's loss and gradient on plain arrays: the same math
 * as `MlpTask.lossAndGrad` (which stays the reference). Node registers the native one
 * (`src/native/nativeKernel.ts`) when it is built; MLP tasks then also offer `flatLossAndGrad`.
 */
import type { MnistSplit } from '../data/mnistSplit.ts';

/** The MLP's loss and gradient for one network on one minibatch. */
export interface MlpKernel {
  /**
   * Mean softmax cross-entropy of the network `params` (W1, b1, W2, b2, …; W row-major
   * [in × out]) with layer sizes `sizes` on images `indices` of `data`; writes its gradient into
   * `grads` (shaped like `params`). `activation` is the hidden layers' (index in `ACTIVATIONS`).
   */
  lossAndGrad(sizes: number[], activation: number, params: Float32Array[], data: MnistSplit, indices: Int32Array, grads: Float32Array[]): number;
}

let active: MlpKernel | null = null;

/** Makes `kernel` the one MLP tasks made from now on use (null: TensorFlow.js only). */
export function setMlpKernel(kernel: MlpKernel | null): void {
  active = kernel;
}

/** The registered kernel, or null. */
export function mlpKernel(): MlpKernel | null {
  return active;
}
