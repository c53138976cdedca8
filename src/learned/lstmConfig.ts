/**
 * Configuration and meta-parameters φ of the coordinatewise LSTM optimizer.
 *
 * One small LSTM (2 layers × 20 units in the paper, §3) is shared by every coordinate; each
 * coordinate has its own hidden state. φ is one flat Float32Array: its named tensors
 * (`metaParamShapes`) one after another, row-major — the form every engine, the
 * meta-optimizer and checkpoints use; optimizer files name the tensors.
 */
import type { Rng } from '../random/rng.ts';
import type { BaseStep } from './baseStep.ts';
import { PAPER_P } from './preprocess.ts';

/** The LSTM optimizer's architecture. */
export interface LstmConfig {
  /** Units per LSTM layer (paper: [20, 20]). */
  hidden: number[];
  /**
   * What the LSTM reads per coordinate: 'gradient' (the paper: ∇, preprocessed with p),
   * 'adam' (RNNprop, Lv et al. 2017: Adam's normalized momentum m̂/√v̂ and gradient ∇/√v̂) or
   * 'both' (the two preprocessed features, then the two normalized ones: the magnitude the
   * paper's inputs carry and the scale-free direction RNNprop's do) or 'adam-log' (RNNprop's two,
   * then the log-magnitude of each, max(log(|x| + ε)/p, −1) as the paper's preprocessing takes
   * it: still scale-free, and small normalized values, which an LSTM reading them linearly sees
   * as zero, stay apart by their order of magnitude).
   */
  inputs: LstmInputs;
  /** Preprocessing constant p (Appendix A) for 'gradient', 'both' and 'adam-log' inputs, or null to feed the raw gradient ('gradient' only). */
  preprocessP: number | null;
  /** The head's output is multiplied by this (paper: 0.1). */
  outputScale: number;
  /**
   * λ of a magnitude output (Metz et al. 2020): the head has two outputs, a direction d and a
   * magnitude m, and the update is outputScale·d·e^(λ·m), so the LSTM can scale its steps over
   * orders of magnitude; absent or 0: the paper's single linear output.
   */
  magnitude?: number;
  /**
   * Whether the LSTM also reads the log-magnitude of each coordinate's value θ,
   * log(|θ| + 10⁻³)/10 (`preprocess.ts`), after its other inputs: the scale of the parameters it
   * moves, which gradients normalized as RNNprop's do not carry (learned_optimization's
   * per-parameter optimizers read θ too). Absent or false: the gradient alone.
   */
  paramInput?: boolean;
  /** Initial value of the forget-gate bias. */
  forgetBias: number;
  /**
   * A hand-designed step added to the LSTM's output (`baseStep.ts`), or absent/null: the paper,
   * the LSTM's output alone.
   */
  base?: BaseStep | null;
}

/** The LSTM's per-coordinate inputs. */
export type LstmInputs = 'gradient' | 'adam' | 'both' | 'adam-log';

/** The names of the LSTM's inputs, for options and file checks. */
export const LSTM_INPUTS: readonly LstmInputs[] = ['gradient', 'adam', 'both', 'adam-log'];

/** Whether the LSTM keeps Adam's moments m, v per coordinate (every input but 'gradient'). */
export function hasMoments(config: Pick<LstmConfig, 'inputs'>): boolean {
  return config.inputs !== 'gradient';
}

/** The paper's architecture: 2 layers of 20 units, gradient inputs with p = 10, output × 0.1. */
export const PAPER_LSTM: LstmConfig = { hidden: [20, 20], inputs: 'gradient', preprocessP: PAPER_P, outputScale: 0.1, forgetBias: 1 };

/** The four LSTM gates, in the order used everywhere: input, forget, candidate, output. */
export const GATES = ['i', 'f', 'g', 'o'] as const;

/** The name tables and charts give a learned optimizer: `lstm`, or `lstm + nag` with a base step. */
export function learnedOptimizerName(config: Pick<LstmConfig, 'base'>): string {
  return config.base ? `lstm + ${config.base.optimizer}` : 'lstm';
}

/** Number of input features per coordinate. */
export function inputSize(config: Pick<LstmConfig, 'inputs' | 'preprocessP' | 'paramInput'>): number {
  const params = config.paramInput ? 1 : 0;
  if (config.inputs === 'both' || config.inputs === 'adam-log') return 4 + params;
  return (config.inputs === 'gradient' && config.preprocessP === null ? 1 : 2) + params;
}

/** The name and shape of every meta-parameter, in φ's order: the LSTM's, then the base step's learned log-rate if it has one. */
export function metaParamShapes(config: LstmConfig): Array<[string, number[]]> {
  return [...lstmParamShapes(config), ...(config.base?.learnRate ? [['base.logRate', [1]] as [string, number[]]] : [])];
}

/** The name and shape of the LSTM's meta-parameters (what an engine's kernel reads), in φ's order. */
export function lstmParamShapes(config: LstmConfig): Array<[string, number[]]> {
  const shapes: Array<[string, number[]]> = [];
  let inSize = inputSize(config);
  config.hidden.forEach((units, l) => {
    for (const gate of GATES) {
      shapes.push([`lstm${l}.${gate}.wx`, [inSize, units]]);
      shapes.push([`lstm${l}.${gate}.wh`, [units, units]]);
      shapes.push([`lstm${l}.${gate}.b`, [units]]);
    }
    inSize = units;
  });
  // The head's outputs per coordinate: the update, or its direction and magnitude.
  const outputs = config.magnitude ? 2 : 1;
  shapes.push(['head.w', [inSize, outputs]], ['head.b', [outputs]]);
  return shapes;
}

/** Number of values of φ. */
export function metaParamCount(config: LstmConfig): number {
  return metaParamShapes(config).reduce((n, [, shape]) => n + size(shape), 0);
}

/** Number of values of the LSTM's part of φ (the first ones). */
export function lstmParamCount(config: LstmConfig): number {
  return lstmParamShapes(config).reduce((n, [, shape]) => n + size(shape), 0);
}

/** The LSTM's part of φ (a view), as an engine's kernel takes it. */
export function lstmParams(config: LstmConfig, phi: Float32Array): Float32Array {
  return phi.subarray(0, lstmParamCount(config));
}

/**
 * The base step's learned log-rate β (its rate is the configured one × e^β), 0 when the rate is
 * not learned. Harrison et al. (2022)'s "nominal" step size: a global learned log-scale.
 */
export function baseLogRate(config: LstmConfig, phi: Float32Array): number {
  return config.base?.learnRate ? phi[lstmParamCount(config)] : 0;
}

/** Each meta-parameter of flat φ as a named view into it (no copy), in φ's order. */
export function metaParamViews(config: LstmConfig, phi: Float32Array): Array<[string, number[], Float32Array]> {
  let offset = 0;
  return metaParamShapes(config).map(([name, shape]) => [name, shape, phi.subarray(offset, (offset += size(shape)))]);
}

/**
 * Draws φ: weights N(0, 1/fan_in), biases 0, forget biases `forgetBias`. With a base step the
 * head's weights start at 0 too, so that the learned optimizer starts as its base optimizer, and
 * a learned log-rate at 0 (the configured rate).
 */
export function initMetaParams(config: LstmConfig, rng: Rng): Float32Array {
  const shapes = new Map(metaParamShapes(config));
  const phi = new Float32Array(metaParamCount(config));
  for (const [name, shape, view] of metaParamViews(config, phi)) {
    if (name.endsWith('.b') || name === 'base.logRate' || (name === 'head.w' && config.base)) {
      view.fill(name.endsWith('.f.b') ? config.forgetBias : 0);
    } else {
      // A gate's fan-in is its input size plus its recurrent size.
      const prefix = name.slice(0, name.lastIndexOf('.'));
      const fanIn = name === 'head.w' ? shape[0] : shapes.get(`${prefix}.wx`)![0] + shapes.get(`${prefix}.wh`)![0];
      view.set(rng.child(name).normalArray(size(shape), 1 / Math.sqrt(fanIn)));
    }
  }
  return phi;
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
