/**
 * A learned optimizer as an ordinary `Optimizer`: the LSTM (`lstmOptimizer.ts`), plus its
 * hand-designed base step when the configuration has one (`baseStep.ts`, added as
 * `optimizers/sum.ts` adds optimizers). Evaluation, the web demo and the tf.Optimizer adapter
 * run it like any other optimizer.
 */
import type { Engine } from '../engine/engine.ts';
import type { Optimizer } from '../optimizers/optimizer.ts';
import { sumOptimizer } from '../optimizers/sum.ts';
import { baseOptimizer } from './baseStep.ts';
import { baseLogRate, type LstmConfig } from './lstmConfig.ts';
import { lstmOptimizer } from './lstmOptimizer.ts';

/** The learned optimizer for `config` and φ (flat; not copied), its LSTM on `engine`; a learned base rate is read from φ. */
export function learnedOptimizer(config: LstmConfig, phi: Float32Array, engine: Pick<Engine, 'lstm'>): Optimizer {
  const lstm = lstmOptimizer(config, phi, engine) as Optimizer;
  if (!config.base) return lstm;
  return sumOptimizer('lstm', { ...config }, [
    ['lstm', lstm],
    ['base', baseOptimizer(config.base, baseLogRate(config, phi))],
  ]) as Optimizer;
}
