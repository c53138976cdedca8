/** `l2l compare`: the learned optimizer against tuned baselines on held-out optimizees. */
import { Command } from 'commander';
import { learnedOptimizerName } from '../../learned/lstmConfig.ts';
import { compare, defaultCompareConfig, type Contender, type Results, type ReusedBaselines } from '../../eval/compare.ts';
import { loadOptimizer } from '../../io/optimizerStore.ts';
import { checkCompareSize } from '../limits.ts';
import { UserError } from '../../io/userError.ts';
import * as tf from '@tensorflow/tfjs';
import { EvalPool } from '../../eval/evalPool.ts';
import { selectEngine } from '../../engine/select.ts';
import { handDesignedContender, lstmContender } from '../../eval/unrollJob.ts';
import { DEFAULT_BASELINES, HAND_DESIGNED } from '../../optimizers/registry.ts';
import { summaryTable } from '../../report/summary.ts';
import { writeReport } from '../../report/writeReport.ts';
import { addTaskFlags, familyFromFlags, type TaskFlags } from '../taskFlags.ts';
import { intIn, listOf } from '../options.ts';
import { ensureWritableDir } from '../outputDir.ts';
import { createProgress } from '../progress.ts';

/** Flags of `l2l compare`. */
export interface CompareFlags extends TaskFlags {
  optimizer?: string;
  steps: number;
  /** Held-out optimizees; default `defaultRuns(task)`. */
  runs?: number;
  seed: number;
  out: string;
  tuningRuns?: number;
  baselines: string[];
  threads: number;
}

/** Registers `l2l compare`. */
export function registerCompare(program: Command): void {
  addCompareFlags(program.command('compare').description('compare a learned optimizer with tuned baselines; writes results.json, loss.png, loss.svg, summary.md'))
    .action(async (flags: CompareFlags) => {
      await runCompare(flags, `l2l compare ${process.argv.slice(3).join(' ')}`.trim());
    });
}

/** The flags of `compare` parsed from `args` with their defaults, as the command line would. */
export function parseCompareFlags(args: string[]): CompareFlags {
  return addCompareFlags(new Command().exitOverride()).parse(args, { from: 'user' }).opts() as CompareFlags;
}

function addCompareFlags(command: Command): Command {
  return addTaskFlags(command)
    .option('--optimizer <file>', 'learned optimizer file (from l2l train); omit to compare baselines only')
    .option('--steps <n>', 'optimizee steps per run', intIn(1, 100_000), 100)
    .option('--runs <n>', 'held-out optimizees (default: 1000 quadratics, 100 MNIST networks, 20 convnets or RNNs)', intIn(1, 1_000_000))
    .option('--seed <n>', 'seed of the held-out optimizees', intIn(0), 1)
    .option('--tuning-runs <n>', 'optimizees used to tune each learning rate (default: 128 quadratics, 10 MNIST networks, 3 convnets or RNNs)', intIn(1, 100_000))
    .option('--baselines <list>', "hand-designed optimizers to tune and compare, or 'none' (the learned optimizer alone)", (value: string) => (value.trim() === 'none' ? [] : listOf(Object.keys(HAND_DESIGNED))(value)), DEFAULT_BASELINES)
    .option('--threads <n>', 'worker threads that run the evaluation (same numbers on any number)', intIn(1, 64), 2)
    .requiredOption('--out <dir>', 'output directory');
}

/** Held-out optimizees when `--runs` is not given: 1000 quadratics (seconds), 100 MNIST networks, 20 convnets or RNNs (minutes). */
export function defaultRuns(task: string): number {
  return task === 'mnist' ? 100 : task === 'convnet' || task === 'rnn' ? 20 : 1000;
}

/** Optimizees that tune each learning rate when `--tuning-runs` is not given: 128 quadratics, 10 MNIST networks, 3 convnets or RNNs. */
export function defaultTuningRuns(task: string): number {
  return task === 'mnist' ? 10 : task === 'convnet' || task === 'rnn' ? 3 : 128;
}

/** Runs the comparison (plus any `reused` baselines), writes the report into flags.out and prints the table. */
export async function runCompare(flags: CompareFlags, command: string, reused?: ReusedBaselines): Promise<Results> {
  if (flags.task === 'mixture') throw new UserError('compare runs one task family, not a mixture: compare on each task with --task, or on the whole grid with l2l generalize');
  if (!flags.optimizer && flags.baselines.length === 0) throw new UserError("nothing to compare: give --optimizer FILE, or baselines other than 'none'");
  const learned = flags.optimizer ? loadOptimizer(flags.optimizer) : undefined;
  ensureWritableDir(flags.out);
  const engine = selectEngine();
  const family = familyFromFlags(flags, 'test', engine);
  const contenders: Contender[] = [
    ...(learned ? [lstmContender(learnedOptimizerName(learned.config), learned.config, learned.phi, engine)] : []),
    ...flags.baselines.map((name) => handDesignedContender(name)),
  ];
  const runs = flags.runs ?? defaultRuns(flags.task);
  const config = defaultCompareConfig(flags.steps, runs, flags.seed, family);
  config.tuning.members = flags.tuningRuns ?? defaultTuningRuns(flags.task);
  const tuned = contenders.filter((c) => 'factory' in c).length;
  checkCompareSize(family, contenders.length, tuned, config.tuning.grid.length, runs, flags.steps, config.tuning.members, config.chunkSize, flags.threads ?? 1);
  const runner = new EvalPool(flags.threads ?? 1, tf.getBackend(), engine.name);
  const progress = createProgress(1, 'evaluating');
  let results: Results;
  try {
    results = await compare(family, contenders, config, (line) => progress.log(line), {
      runner,
      onJob: (done, total) => progress.update(done, {}, total),
    });
  } finally {
    progress.stop();
    await runner.close();
  }
  if (reused) results = { ...results, optimizers: [...results.optimizers, ...reused.optimizers], baselinesFrom: reused.from };
  const files = await writeReport(flags.out, results, command);
  process.stdout.write(summaryTable(results) + '\n');
  process.stderr.write(`wrote ${files.join(', ')}\n`);
  return results;
}
