/**
 * The task flags shared by commands and the family they build:
 * `--task quadratic [--variant paper|deepmind] [--dims 10]` or
 * `--task mnist [--hidden 20 | 40 | 20,20] [--activation sigmoid|relu|tanh|elu] [--init normal|glorot]`
 * (the paper's MLP) or `--task convnet [--layers conv8x3,relu,pool2,…]`, each on
 * `--dataset mnist|fashion-mnist`, or `--task rnn [--cell simple|gru] [--units 32]` (the addition RNN).
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { MnistSplitName } from '../data/mnist.ts';
import { ACTIVATIONS, MlpFamily, PAPER_MLP, type Activation, type MlpInit } from '../tasks/mlp.ts';
import { QuadraticFamily, type QuadraticVariant } from '../tasks/quadratic.ts';
import type { TaskFamily } from '../tasks/task.ts';
import type { Engine } from '../engine/engine.ts';
import { intIn, oneOf, TASKS } from './options.ts';
import { datasetSource, DATASETS, type DatasetName } from '../data/mnist.ts';
import { GENERALIZE_GRID } from '../generalize/grid.ts';
import { UserError } from '../io/userError.ts';
import { MixtureFamily } from '../tasks/mixture.ts';
import { ConvnetFamily, parseLayers, PAPER_CONVNET_LAYERS, type ConvLayer } from '../tasks/convnet.ts';
import { DEFAULT_RNN, RNN_CELLS, RnnFamily, type RnnCell } from '../tasks/rnn.ts';

/** Parsed task flags. */
export interface TaskFlags {
  task: (typeof TASKS)[number];
  variant: QuadraticVariant;
  dims: number;
  hidden: number[];
  activation: Activation;
  init: MlpInit;
  dataset: DatasetName;
  layers: ConvLayer[];
  /** rnn: the recurrent cell. */
  cell: RnnCell;
  /** rnn: units of the encoder and the decoder. */
  units: number;
  /** mixture: the generalize-grid tasks to train on, each with its weight (how often it is drawn, relatively). */
  mixture?: MixtureEntry[];
}

/** One task of `--mixture`: a generalize-grid id and its weight (`quadratic:2`; 1 when not given). */
export interface MixtureEntry {
  id: string;
  weight: number;
}

/** The task flags' defaults (the paper's quadratic, MLP, the default convnet and addition RNN). */
export const DEFAULT_TASK_FLAGS: TaskFlags = {
  task: 'quadratic',
  variant: 'paper',
  dims: 10,
  hidden: PAPER_MLP.hidden,
  activation: PAPER_MLP.activation,
  init: PAPER_MLP.init,
  dataset: 'mnist',
  layers: parseLayers(PAPER_CONVNET_LAYERS),
  cell: DEFAULT_RNN.cell,
  units: DEFAULT_RNN.units,
};

/** Parses `--mixture`: generalize-grid task ids, each optionally `:weight` (e.g. `mnist,quadratic:2`). */
export function mixtureEntries(value: string): MixtureEntry[] {
  return value.split(',').map((item) => {
    const [id, weightText, ...rest] = item.trim().split(':');
    if (!GENERALIZE_GRID.some((t) => t.id === id && t.flags.task !== 'mixture')) throw new InvalidArgumentError(`'${id}' is not a task of the generalize grid: use some of ${GENERALIZE_GRID.map((t) => t.id).join(', ')}.`);
    const weight = weightText === undefined ? 1 : Number(weightText);
    if (rest.length > 0 || !(weight > 0 && weight <= 1000)) throw new InvalidArgumentError(`'${item.trim()}': a weight is a number above 0 and at most 1000, as in ${id}:2.`);
    return { id, weight };
  });
}

/** Parses a convnet's layer list for commander. */
function layerList(value: string): ConvLayer[] {
  try {
    return parseLayers(value);
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message}.`);
  }
}

/** Parses `20` or `20,20`: hidden layer sizes. */
export function hiddenSizes(value: string): number[] {
  const sizes = value.split(',').map((s) => Number(s.trim()));
  if (sizes.length === 0 || sizes.length > 8 || !sizes.every((n) => Number.isInteger(n) && n >= 1 && n <= 4096)) {
    throw new InvalidArgumentError(`expected hidden layer sizes like 20 or 20,20 (1 to 4096 units each), got '${value}'.`);
  }
  return sizes;
}

/** Adds the task flags to a command. */
export function addTaskFlags(command: Command): Command {
  return command
    .option('--task <name>', `task family: ${TASKS.join(', ')}`, oneOf(TASKS), 'quadratic')
    .option('--variant <name>', "quadratic: 'paper' (W, y, θ0 ~ N(0,1)) or 'deepmind' (W, y ~ U[0,1], θ0 ~ N(0,0.01²), batch-mean loss)", oneOf(['paper', 'deepmind'] as const), 'paper')
    .option('--dims <n>', 'quadratic: dimension', intIn(1, 10_000), 10)
    .option('--hidden <sizes>', 'mnist: hidden layer sizes, e.g. 20, 40 or 20,20', hiddenSizes, PAPER_MLP.hidden)
    .option('--activation <name>', `mnist: ${ACTIVATIONS.join(', ')}`, oneOf(ACTIVATIONS), PAPER_MLP.activation)
    .option('--init <name>', "mnist: 'normal' (weights and biases N(0, 0.01²)) or 'glorot'", oneOf(['normal', 'glorot'] as const), PAPER_MLP.init)
    .option('--layers <list>', `convnet: layers from the image to the 10 logits (convFxS: F filters S×S, poolS, denseU, relu, sigmoid, tanh)`, layerList, parseLayers(PAPER_CONVNET_LAYERS))
    .option('--cell <name>', `rnn: the recurrent cell, ${RNN_CELLS.join(' or ')}`, oneOf(RNN_CELLS), DEFAULT_RNN.cell)
    .option('--units <n>', 'rnn: units of the encoder and the decoder', intIn(1, 1024), DEFAULT_RNN.units)
    .option('--mixture <ids>', 'mixture: the generalize-grid tasks to sample from, equally often or as often as their weights say, e.g. mnist,mnist-relu,quadratic or mnist,quadratic:2', mixtureEntries)
    .option('--dataset <name>', `mnist and convnet: the images, ${DATASETS.join(' or ')} (Debian's dataset-fashion-mnist package)`, oneOf(DATASETS), 'mnist' as DatasetName);
}

/**
 * The task family the flags describe; MNIST networks train on `split` (train for meta-training,
 * test for evaluation) and compute on `engine`'s MLP kernel when it has one.
 */
export function familyFromFlags(flags: TaskFlags, split: MnistSplitName, engine: Pick<Engine, 'mlp'>): TaskFamily {
  if (flags.task === 'mixture') {
    if (!flags.mixture?.length) throw new UserError('--task mixture needs --mixture ID,ID,… (tasks of the generalize grid, e.g. mnist,mnist-relu,quadratic)');
    return new MixtureFamily(
      flags.mixture.map(({ id, weight }) => {
        const component = { ...DEFAULT_TASK_FLAGS, ...GENERALIZE_GRID.find((t) => t.id === id)!.flags };
        return { id, family: familyFromFlags(component, split, engine), members: trainingDefaults(component.task).members, weight };
      }),
    );
  }
  const dataset = flags.dataset ?? 'mnist';
  if (flags.task === 'mnist') {
    const config = { ...PAPER_MLP, hidden: flags.hidden, activation: flags.activation, init: flags.init, split, ...(dataset !== 'mnist' ? { dataset } : {}) };
    return new MlpFamily(config, datasetSource(dataset), engine.mlp);
  }
  if (flags.task === 'convnet') {
    return new ConvnetFamily({ dataset, split, batchSize: 128, layers: flags.layers ?? parseLayers(PAPER_CONVNET_LAYERS) }, datasetSource(dataset));
  }
  if (flags.task === 'rnn') return new RnnFamily({ ...DEFAULT_RNN, cell: flags.cell ?? DEFAULT_RNN.cell, units: flags.units ?? DEFAULT_RNN.units });
  return new QuadraticFamily({ dims: flags.dims, variant: flags.variant });
}

/**
 * Per-task defaults for meta-training: optimizees per iteration, validation optimizees, the
 * batches these are drawn in (which threads may evaluate in parallel), and the meta-gradient's
 * clipping norm (on quadratics clipping at 1 takes the final loss from 0.59× to 0.45× tuned Adam's).
 */
export function trainingDefaults(task: TaskFlags['task']): { members: number; validationMembers: number; validationChunks: number; clip: number } {
  if (task === 'quadratic') return { members: 128, validationMembers: 1024, validationChunks: 1, clip: 1 };
  if (task === 'mixture') return { members: 1, validationMembers: 4, validationChunks: 1, clip: 1 };
  return task === 'mnist' ? { members: 1, validationMembers: 10, validationChunks: 2, clip: 0 } : { members: 1, validationMembers: 4, validationChunks: 2, clip: 0 };
}
