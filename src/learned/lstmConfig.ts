/**
 * Configuration and meta-parameters φ of the coordinatewise LSTM optimizer.
 *
 * One small LSTM (2 layers × 20 units in the paper, §3) is shared by every coordinate; each
 * coordinate has its own hidden state. φ is a flat, ordered set of named tensors so that it can
 * be differentiated, saved as JSON and checked by shape.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random/rng.ts';
import type { BaseStep } from './baseStep.ts';
import { PAPER_P } from './preprocess.ts';

/** The LSTM optimizer's architecture. */
export interface LstmConfig {
  /** Units per LSTM layer (paper: [20, 20]). */
  hidden: number[];
  /**
   * What the LSTM reads per coordinate: 'gradient' (the paper: ∇, preprocessed with p) or
   * 'adam' (RNNprop, Lv et al. 2017: Adam's normalized momentum m̂/√v̂ and gradient ∇/√v̂).
   */
  inputs: LstmInputs;
  /** Preprocessing constant p (Appendix A) for 'gradient' inputs, or null to feed the raw gradient. */
  preprocessP: number | null;
  /** The head's output is multiplied by this (paper: 0.1). */
  outputScale: number;
  /** Initial value of the forget-gate bias. */
  forgetBias: number;
  /**
   * A hand-designed step added to the LSTM's output (`baseStep.ts`), or absent/null: the paper,
   * the LSTM's output alone.
   */
  base?: BaseStep | null;
}

/** The LSTM's per-coordinate inputs. */
export type LstmInputs = 'gradient' | 'adam';

/** The paper's architecture: 2 layers of 20 units, gradient inputs with p = 10, output × 0.1. */
export const PAPER_LSTM: LstmConfig = { hidden: [20, 20], inputs: 'gradient', preprocessP: PAPER_P, outputScale: 0.1, forgetBias: 1 };

/** The four LSTM gates, in the order used everywhere: input, forget, candidate, output. */
export const GATES = ['i', 'f', 'g', 'o'] as const;

/** Named meta-parameters φ. */
export type MetaParams = Record<string, tf.Tensor>;

/** The name tables and charts give a learned optimizer: `lstm`, or `lstm + nag` with a base step. */
export function learnedOptimizerName(config: Pick<LstmConfig, 'base'>): string {
  return config.base ? `lstm + ${config.base.optimizer}` : 'lstm';
}

/** Number of input features per coordinate. */
export function inputSize(config: LstmConfig): number {
  return config.inputs === 'gradient' && config.preprocessP === null ? 1 : 2;
}

/** The name and shape of every meta-parameter, in a fixed order. */
export function metaParamShapes(config: LstmConfig): Array<[string, number[]]> {
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
  shapes.push(['head.w', [inSize, 1]], ['head.b', [1]]);
  return shapes;
}

/**
 * Draws φ: weights N(0, 1/fan_in), biases 0, forget biases `forgetBias`. With a base step the
 * head's weights start at 0 too, so that the learned optimizer starts as its base optimizer.
 */
export function initMetaParams(config: LstmConfig, rng: Rng): MetaParams {
  const phi: MetaParams = {};
  for (const [name, shape] of metaParamShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (name.endsWith('.b') || (name === 'head.w' && config.base)) {
      const value = name.endsWith('.f.b') ? config.forgetBias : 0;
      phi[name] = tf.fill(shape, value);
    } else {
      const fanIn = name.endsWith('.wx') || name.endsWith('.wh') ? fanInOf(name, shapes(config)) : shape[0];
      phi[name] = tf.tensor(rng.child(name).normalArray(size, 1 / Math.sqrt(fanIn)), shape);
    }
  }
  return phi;
}

function shapes(config: LstmConfig): Map<string, number[]> {
  return new Map(metaParamShapes(config));
}

/** Fan-in of an LSTM gate: its input size plus its recurrent size. */
function fanInOf(name: string, all: Map<string, number[]>): number {
  const prefix = name.slice(0, name.lastIndexOf('.'));
  return all.get(`${prefix}.wx`)![0] + all.get(`${prefix}.wh`)![0];
}

/** φ as a list in `metaParamShapes` order. */
export function metaParamList(config: LstmConfig, phi: MetaParams): tf.Tensor[] {
  return metaParamShapes(config).map(([name]) => phi[name]);
}

/** A list in `metaParamShapes` order back to named φ. */
export function metaParamsFromList(config: LstmConfig, list: tf.Tensor[]): MetaParams {
  const phi: MetaParams = {};
  metaParamShapes(config).forEach(([name], i) => (phi[name] = list[i]));
  return phi;
}
