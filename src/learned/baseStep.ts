/**
 * An option beyond the paper: a hand-designed step added to the LSTM's output, so that the update
 * is m(∇, h; φ) + b(∇) with b one of the hand-designed optimizers at a fixed learning rate (say,
 * tuned NAG). The LSTM then learns a correction to a good optimizer rather than a whole optimizer.
 *
 * b depends on the gradients only, never on φ, and the gradients are constants in meta-training
 * (no second derivatives), so ∂L/∂Δt and the meta-gradient are unchanged: only the trajectory
 * moves. `learnedOptimizer.ts` adds it (`optimizers/sum.ts`); meta-training runs it beside the
 * LSTM on the same arrays.
 */
import type { Optimizer } from '../optimizers/optimizer.ts';
import { HAND_DESIGNED } from '../optimizers/registry.ts';

/** Which hand-designed optimizer, at which learning rate, is added to the LSTM's output. */
export interface BaseStep {
  /** A name from `HAND_DESIGNED`, e.g. 'nag'. */
  optimizer: string;
  learningRate: number;
}

/** The hand-designed optimizer of `base`; throws on a name that is not in `HAND_DESIGNED`. */
export function baseOptimizer(base: BaseStep): Optimizer {
  const factory = HAND_DESIGNED[base.optimizer];
  if (!factory) throw new Error(`unknown base optimizer '${base.optimizer}': use one of ${Object.keys(HAND_DESIGNED).join(', ')}`);
  return factory(base.learningRate);
}
