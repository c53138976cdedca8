/**
 * An option beyond the paper: a hand-designed step added to the LSTM's output, so that the update
 * is m(∇, h; φ) + b(∇) with b one of the hand-designed optimizers at a fixed learning rate (say,
 * tuned NAG). The LSTM then learns a correction to a good optimizer rather than a whole optimizer.
 *
 * b depends on the gradients only, not on the LSTM's weights, and the gradients are constants in
 * meta-training (no second derivatives), so ∂L/∂Δt and the LSTM's meta-gradient are unchanged:
 * only the trajectory moves. With a learned rate (`learnRate`), b = e^β·b₀ depends on φ's β, and
 * ∂L/∂β = Σ_t ⟨∂L/∂Δt, b_t⟩. `learnedOptimizer.ts` adds it (`optimizers/sum.ts`); meta-training
 * runs it beside the LSTM on the same arrays (`meta/truncation.ts`).
 */
import type { Optimizer } from '../optimizers/optimizer.ts';
import { HAND_DESIGNED } from '../optimizers/registry.ts';

/** Which hand-designed optimizer, at which learning rate, is added to the LSTM's output. */
export interface BaseStep {
  /** A name from `HAND_DESIGNED`, e.g. 'nag'. */
  optimizer: string;
  /** The rate, or with `learnRate` the rate meta-training starts from. */
  learningRate: number;
  /**
   * Meta-learn the rate: φ gets a log-scale β, and the rate is `learningRate` × e^β (β starts at
   * 0), fitted by meta-training like the LSTM's weights (Harrison et al. 2022's nominal step).
   */
  learnRate?: boolean;
}

/**
 * The hand-designed optimizer of `base` at its rate × e^`logRate` (the learned log-rate; 0: the
 * configured rate); throws on a name that is not in `HAND_DESIGNED`. Every hand-designed
 * optimizer's update is its rate times a direction that does not depend on the rate, so a
 * learned rate only scales the update.
 */
export function baseOptimizer(base: BaseStep, logRate = 0): Optimizer {
  const factory = HAND_DESIGNED[base.optimizer];
  if (!factory) throw new Error(`unknown base optimizer '${base.optimizer}': use one of ${Object.keys(HAND_DESIGNED).join(', ')}`);
  return factory(base.learningRate * Math.exp(logRate));
}
