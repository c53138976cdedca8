/** `l2l quickstart` (what `npm start` runs): train on quadratics, compare, report, print the table. */
import type { Command } from 'commander';
import { intIn } from '../options.ts';
import { parseCompareFlags, runCompare } from './compare.ts';
import { parseTrainFlags, runTrain } from './train.ts';

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
    .option('--iterations <n>', 'meta-iterations', intIn(1), 1000)
    .option('--runs <n>', 'held-out test functions', intIn(1, 1_000_000), 1000)
    .option('--seed <n>', 'training seed (the test functions use seed + 1)', intIn(0, 2 ** 31), 0)
    .action(async (flags: QuickstartFlags) => {
      // Exactly `l2l train …` then `l2l compare …` with these arguments and every other default.
      const train = ['--task', 'quadratic', '--out', flags.out, '--iterations', String(flags.iterations), '--seed', String(flags.seed)];
      const trained = await runTrain(parseTrainFlags(train), `l2l train ${train.join(' ')}`);
      const compare = ['--task', 'quadratic', '--optimizer', trained.optimizerFile, '--steps', '100', '--runs', String(flags.runs), '--seed', String(flags.seed + 1), '--out', flags.out];
      await runCompare(parseCompareFlags(compare), `l2l compare ${compare.join(' ')}`);
    });
}
