/**
 * The largest update a learned optimizer can write to one coordinate in one step. The top LSTM
 * layer's output h = o ⊙ tanh(c) lies in (−1, 1) per unit, so the head's output w·h + b lies
 * within ±(Σ|w| + |b|) whatever the optimizee; the update is the output scale times that, or
 * with a magnitude output (update = s·d·e^(λm)) times e^(λ·(Σ|w_m| + |b_m|)) as well. A base
 * step (`config.base`) adds its own, unbounded, step on top and is not counted.
 *
 * This is what an optimizer meta-trained on networks, whose steps must be small, can do on a
 * task that needs large ones (docs/experiments.md: the quadratics of the mixture).
 */
import { metaParamViews, type LstmConfig } from './lstmConfig.ts';

/** The bound on |update| per coordinate and step, and the head's ranges it comes from. */
export interface LargestStep {
  /** outputScale · directionRange (· e^(λ · magnitudeRange) with a magnitude output). */
  step: number;
  /** Σ|w_d| + |b_d|: the largest |d| the head can output. */
  directionRange: number;
  /** Σ|w_m| + |b_m| with a magnitude output, else absent. */
  magnitudeRange?: number;
}

/** The largest step of the LSTM with φ (flat, `metaParamShapes` order); see the module comment. */
export function largestStep(config: LstmConfig, phi: Float32Array): LargestStep {
  const views = new Map(metaParamViews(config, phi).map(([name, shape, view]) => [name, { shape, view }]));
  const w = views.get('head.w')!;
  const b = views.get('head.b')!.view;
  const outputs = w.shape[1];
  // head.w is [units, outputs], row-major: output o of unit i at i·outputs + o.
  const range = (o: number) => {
    let sum = Math.abs(b[o]);
    for (let i = 0; i < w.shape[0]; i++) sum += Math.abs(w.view[i * outputs + o]);
    return sum;
  };
  const directionRange = range(0);
  if (!config.magnitude) return { step: config.outputScale * directionRange, directionRange };
  const magnitudeRange = range(1);
  return { step: config.outputScale * directionRange * Math.exp(config.magnitude * magnitudeRange), directionRange, magnitudeRange };
}
