/** `l2l quickstart` (what `npm start` runs): train on quadratics, compare, report, print the table. */
import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_BASELINES } from '../../optimizers/registry.ts';
import { intIn } from '../options.ts';
import { runCompare } from './compare.ts';
import { runTrain, type TrainFlags } from './train.ts';
import { PAPER_LSTM } from '../../learned/lstmConfig.ts';
import { DEFAULT_BLOCK_ROWS } from '../../meta/metaGradient.ts';
import { PAPER_MLP } from '../../tasks/mlp.ts';

const QUADRATIC_FLAGS = { task: 'quadratic', variant: 'paper', dims: 10, hidden: PAPER_MLP.hidden, activation: PAPER_MLP.activation, init: PAPER_MLP.init } as const;

/** Flags of `l2l quickstart`. */
interface QuickstartFlags {
  out: string;
  iterations: number;
  runs: number;
  seed: number;
}

/** Registers `l2l quickstart`. */
export function registerQuickstart(program: Command): void {
  program
    .command('quickstart')
    .description('meta-train on 10-d quadratics, compare with tuned baselines on held-out functions, write the report and print the table')
    .option('--out <dir>', 'output directory', 'runs/quickstart')
    .option('--iterations <n>', 'meta-iterations', intIn(1), 700)
    .option('--runs <n>', 'held-out test functions', intIn(1, 1_000_000), 1000)
    .option('--seed <n>', 'training seed (the test functions use seed + 1)', intIn(0, 2 ** 31), 0)
    .action(async (flags: QuickstartFlags) => {
      const train: TrainFlags = {
        ...QUADRATIC_FLAGS, out: flags.out, iterations: flags.iterations, seed: flags.seed,
        members: 128, horizon: 100, unroll: 20, metaLr: 3e-3, finalLrFactor: 0.1, metaObjective: 'loss', selectBy: 'final', inputs: 'gradient', blockRows: DEFAULT_BLOCK_ROWS,
        validateEvery: 10, validationMembers: 1024, clip: 0,
        outputScale: PAPER_LSTM.outputScale,
      };
      const trained = await runTrain(train, `l2l train --task quadratic --out ${flags.out} --iterations ${flags.iterations} --seed ${flags.seed}`);
      await runCompare(
        {
          ...QUADRATIC_FLAGS, optimizer: trained.optimizerFile, steps: 100, runs: flags.runs,
          seed: flags.seed + 1, out: flags.out, tuningRuns: 128, baselines: DEFAULT_BASELINES,
        },
        `l2l compare --task quadratic --optimizer ${path.join(flags.out, 'optimizer.json')} --steps 100 --runs ${flags.runs} --seed ${flags.seed + 1} --out ${flags.out}`,
      );
    });
}
