/**
 * The generalization grid of `l2l generalize`: a fixed list of optimizee families a learned
 * optimizer is measured on — the paper's MNIST MLP and its variants (activations, widths,
 * depths), Fashion-MNIST, convnets on both datasets, recurrent nets (the addition RNN with
 * SimpleRNN and GRU cells), quadratics in 10 and 100 dimensions, and a 1000-step horizon — each
 * with its steps, held-out runs and tuning runs, in a full and a quick size. Tasks are task
 * flags (`--task … --hidden …`), so each row can be re-run with `l2l compare`.
 */
import type { TaskFlags } from '../cli/taskFlags.ts';

/** How big a run of one task is. */
export interface TaskSize {
  steps: number;
  runs: number;
  tuningRuns: number;
}

/** One task of the grid. */
export interface GridTask {
  id: string;
  title: string;
  /** The task flags that differ from the defaults of `l2l compare`. */
  flags: Partial<TaskFlags>;
  full: TaskSize;
  quick: TaskSize;
}

const mlp = (id: string, title: string, flags: Partial<TaskFlags>, full: Partial<TaskSize> = {}, quick: Partial<TaskSize> = {}): GridTask => ({
  id,
  title,
  flags: { task: 'mnist', ...flags },
  full: { steps: 200, runs: 30, tuningRuns: 5, ...full },
  quick: { steps: 100, runs: 5, tuningRuns: 2, ...quick },
});

/** The grid, in the order of its table. */
export const GENERALIZE_GRID: GridTask[] = [
  mlp('mnist', 'MNIST MLP, 20 sigmoid units (the paper)', {}),
  mlp('mnist-relu', 'MNIST MLP, 20 ReLU units', { activation: 'relu' }),
  mlp('mnist-elu', 'MNIST MLP, 20 ELU units', { activation: 'elu' }),
  mlp('mnist-40', 'MNIST MLP, 40 sigmoid units', { hidden: [40] }),
  mlp('mnist-2-layers', 'MNIST MLP, 2 layers of 20 sigmoid units', { hidden: [20, 20] }),
  mlp('mnist-3-layers-relu', 'MNIST MLP, 3 layers of 40 ReLU units', { hidden: [40, 40, 40], activation: 'relu', init: 'glorot' }),
  mlp('fashion', 'Fashion-MNIST MLP, 20 sigmoid units', { dataset: 'fashion-mnist' }),
  {
    id: 'convnet',
    title: 'MNIST convnet (conv8-pool-conv16-pool-dense32)',
    flags: { task: 'convnet' },
    full: { steps: 200, runs: 6, tuningRuns: 2 },
    quick: { steps: 50, runs: 2, tuningRuns: 1 },
  },
  {
    id: 'convnet-fashion',
    title: 'Fashion-MNIST convnet',
    flags: { task: 'convnet', dataset: 'fashion-mnist' },
    full: { steps: 200, runs: 6, tuningRuns: 2 },
    quick: { steps: 50, runs: 2, tuningRuns: 1 },
  },
  {
    id: 'rnn',
    title: 'Addition RNN, SimpleRNN cells of 32 units',
    flags: { task: 'rnn' },
    full: { steps: 200, runs: 10, tuningRuns: 2 },
    quick: { steps: 50, runs: 2, tuningRuns: 1 },
  },
  {
    id: 'rnn-gru',
    title: 'Addition RNN, GRU cells of 32 units',
    flags: { task: 'rnn', cell: 'gru' },
    full: { steps: 200, runs: 6, tuningRuns: 2 },
    quick: { steps: 50, runs: 2, tuningRuns: 1 },
  },
  { id: 'quadratic', title: 'Quadratics, 10-d', flags: { task: 'quadratic' }, full: { steps: 100, runs: 1000, tuningRuns: 128 }, quick: { steps: 100, runs: 200, tuningRuns: 64 } },
  { id: 'quadratic-100', title: 'Quadratics, 100-d', flags: { task: 'quadratic', dims: 100 }, full: { steps: 100, runs: 1000, tuningRuns: 128 }, quick: { steps: 100, runs: 200, tuningRuns: 64 } },
  mlp('mnist-1000-steps', 'MNIST MLP, 1000 steps', {}, { steps: 1000, runs: 10, tuningRuns: 2 }, { steps: 1000, runs: 3, tuningRuns: 1 }),
];
