/**
 * Gradient preprocessing of Andrychowicz et al. (2016), Appendix A, with p = 10:
 *
 *   ∇ → ( log|∇| / p , sgn(∇) )   if |∇| ≥ e^(−p)
 *   ∇ → ( −1         , e^p · ∇ )  otherwise
 *
 * written, as in deepmind/learning-to-learn `LogAndSign`, as
 * ( max(log(|∇| + ε)/p, −1), clamp(e^p·∇, −1, 1) ). Each engine computes it where it runs the
 * LSTM (`engine/tfjs/preprocess.ts`, `native/lstm_math.h`); these are its constants.
 */

/** The paper's constant p (Appendix A). */
export const PAPER_P = 10;

/** Keeps log(0) finite; float32 machine epsilon as in the reference implementation. */
export const LOG_EPSILON = 1.1920929e-7;

/**
 * The parameter input of an LSTM that reads θ (`LstmConfig.paramInput`): log(|θ| + ε)/p with
 * p = PARAM_P and ε = PARAM_EPSILON, from −0.69 at θ = 0 through −0.45 at 0.01 to 0 near 1: the
 * scale of the parameter, smooth near 0 (a steeper ε, or the sign, would make updates of
 * near-zero weights jump with θ's last bits).
 */
export const PARAM_P = 10;
/** See `PARAM_P`. */
export const PARAM_EPSILON = 1e-3;
