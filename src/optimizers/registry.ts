/** The hand-designed optimizers by name, each built from a learning rate. */
import { adagrad } from './adagrad.ts';
import { adam } from './adam.ts';
import { momentum, nag } from './momentum.ts';
import type { OptimizerFactory } from './optimizer.ts';
import { rmsprop } from './rmsprop.ts';
import { sgd } from './sgd.ts';

/** Every hand-designed optimizer, by the name used in reports. */
export const HAND_DESIGNED: Record<string, OptimizerFactory> = {
  sgd: (lr) => sgd(lr),
  momentum: (lr) => momentum(lr),
  nag: (lr) => nag(lr),
  rmsprop: (lr) => rmsprop(lr),
  adam: (lr) => adam(lr),
  adagrad: (lr) => adagrad(lr),
};

/** The baselines compared against the learned optimizer by default. */
export const DEFAULT_BASELINES = ['sgd', 'nag', 'rmsprop', 'adam', 'adagrad'];
