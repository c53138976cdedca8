/**
 * The learned optimizers this package ships in `pretrained/`, by name, so that code using the
 * installed package finds them (`node_modules/l2l-ts/pretrained/…`) without knowing the path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from './userError.ts';

/** The shipped optimizer files, each with what it is (docs/results.md has their measurements). */
export const PRETRAINED_OPTIMIZERS = {
  mnist: "MNIST default, every weight meta-trained: the paper's LSTM alone, the same file as mnist-paper",
  'mnist-paper': "the paper's LSTM alone, meta-trained on MNIST by imitating tuned NAG over 200 steps; the best of the three seeds (mnist-paper-s3)",
  'mnist-paper-s1': "the paper's LSTM alone, meta-trained on MNIST by imitating tuned NAG over 200 steps, seed 1",
  'mnist-paper-s2': "the paper's LSTM alone, meta-trained on MNIST by imitating tuned NAG over 200 steps, seed 2",
  'mnist-paper-s3': "the paper's LSTM alone, meta-trained on MNIST by imitating tuned NAG over 200 steps, seed 3",
  'mnist-paper-es-s1': "mnist-paper-s1 with its output layer then meta-trained by evolution strategies on the meta-loss of steps 101-200, selected by the mean validation loss over steps 101-200 (seed 1)",
  'mnist-paper-es-s2': "mnist-paper-s2 with its output layer then meta-trained by evolution strategies on the meta-loss of steps 101-200 (seed 2)",
  'mnist-paper-es-s3': "mnist-paper-s3 with its output layer then meta-trained by evolution strategies on the meta-loss of steps 101-200 (seed 3)",
  'mnist-nag-es-s1': "mnist-paper-s1's LSTM layers with a new output layer on top of a NAG step (from the tuned rate 1): the output layer and NAG's rate meta-trained by evolution strategies on the meta-loss of steps 101-200, nothing hand-picked (seed 1)",
  'mnist-nag-es-s2': "mnist-paper-s2's LSTM layers with a new output layer on top of a NAG step (from the tuned rate 1): the output layer and NAG's rate meta-trained by evolution strategies on the meta-loss of steps 101-200, nothing hand-picked (seed 2)",
  'mnist-nag-es-s3': "mnist-paper-s3's LSTM layers with a new output layer on top of a NAG step (from the tuned rate 1): the output layer and NAG's rate meta-trained by evolution strategies on the meta-loss of steps 101-200, nothing hand-picked (seed 3)",
  'mnist-paper-settings': "the paper's LSTM alone, meta-trained on MNIST with the paper's settings (100 steps, meta-loss sum of losses)",
  'mnist-log-objective': "the paper's LSTM alone, meta-trained on MNIST with the log-loss meta-objective",
  'mnist-rmsprop-base': 'ablation, hand-picked: the log-objective LSTM, output scaled by 0.05, on top of RMSprop at 0.005',
  'mnist-nag-base': 'ablation, hand-picked: the log-objective LSTM, output scaled by 0.03, on top of NAG at 0.5',
  general: 'for any model: the 2-layer LSTM reading RNNprop\'s Adam-normalised inputs, meta-trained on a mixture of MNIST MLPs (sigmoid, ReLU, 40 units, 3 layers of 40 ReLU units), Fashion-MNIST, quadratics and a SimpleRNN',
  'general-scale': "general's mixture and RNNprop inputs, plus each parameter's log-magnitude as an input and a magnitude output (the step's log-size), meta-trained on the log of the mean loss: better than general on most of the grid and on MNIST, worse at 1000 steps and on the SimpleRNN example (seed 3)",
  quadratic: "the paper's LSTM alone, meta-trained on 10-d quadratics",
} as const;

/** The name of one shipped optimizer. */
export type PretrainedName = keyof typeof PRETRAINED_OPTIMIZERS;

/** The package's root folder: two levels above this file in `src/io/` and in `dist/io/` alike. */
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The absolute path of a shipped optimizer file, e.g. `pretrainedOptimizerPath('mnist')`, for
 * `loadLearnedOptimizer` or `l2l compare --optimizer`. An unknown name is an error listing them.
 */
export function pretrainedOptimizerPath(name: PretrainedName): string {
  if (!Object.hasOwn(PRETRAINED_OPTIMIZERS, name)) {
    throw new UserError(`no shipped optimizer named '${name}': use one of ${Object.keys(PRETRAINED_OPTIMIZERS).join(', ')}`);
  }
  const file = path.join(packageRoot, 'pretrained', `${name}.json`);
  if (!fs.existsSync(file)) throw new UserError(`the shipped optimizer '${name}' is missing from ${path.dirname(file)}: reinstall the package`);
  return file;
}
