/**
 * `l2l reproduce`: the paper's figure set from one command — Figure 4 (quadratics; MNIST for
 * 100 steps; MNIST for 200 steps with the optimizer trained on 100) and Figure 5 (MNIST with 40
 * hidden units, with 2 hidden layers, with ReLU) — each against tuned SGD, NAG, RMSprop and
 * Adam, with PNG and SVG charts per panel and one summary.md table.
 */

import path from 'node:path';
import type { Command } from 'commander';
import { compare, defaultCompareConfig, type Results } from '../../eval/compare.ts';
import { writeFileAtomic } from '../../io/atomicWrite.ts';
import { loadOptimizer } from '../../io/optimizerStore.ts';
import * as tf from '@tensorflow/tfjs';
import { EvalPool } from '../../eval/evalPool.ts';
import { handDesignedContender, lstmContender, type UnrollRunner } from '../../eval/unrollJob.ts';
import { learnedOptimizerName, type LstmConfig } from '../../learned/lstmConfig.ts';
import type { Engine } from '../../engine/engine.ts';
import { selectEngine } from '../../engine/select.ts';
import { resultsIndex } from '../../report/resultsFile.ts';
import { summaryTable } from '../../report/summary.ts';
import { writeReport } from '../../report/writeReport.ts';
import { MlpFamily, PAPER_MLP, type MlpConfig } from '../../tasks/mlp.ts';
import { QuadraticFamily } from '../../tasks/quadratic.ts';
import type { TaskFamily } from '../../tasks/task.ts';
import { intIn } from '../options.ts';
import { ensureWritableDir } from '../outputDir.ts';
import { createProgress } from '../progress.ts';
import { parseTrainFlags, runTrain } from './train.ts';
import { loadMnist } from '../../data/mnist.ts';

/** The baselines of the paper's figures. */
const PAPER_BASELINES = ['sgd', 'nag', 'rmsprop', 'adam'];

/** One panel of the figures. */
interface Panel {
  id: string;
  title: string;
  optimizer: 'quadratic' | 'mnist';
  family: TaskFamily;
  steps: number;
}

/** The panels of Figures 4 and 5 (evaluation networks train on the MNIST test images, computed on `engine`'s MLP kernel if any). */
export function paperPanels(engine: Pick<Engine, 'mlp'> = { mlp: null }): Panel[] {
  const mnist = (changes: Partial<MlpConfig>) => new MlpFamily({ ...PAPER_MLP, split: 'test', ...changes }, loadMnist, engine.mlp);
  return [
    { id: 'fig4-quadratic', title: 'Fig. 4: 10-d quadratics', optimizer: 'quadratic', family: new QuadraticFamily(), steps: 100 },
    { id: 'fig4-mnist', title: 'Fig. 4: MNIST, 20 sigmoid units', optimizer: 'mnist', family: mnist({}), steps: 100 },
    { id: 'fig4-mnist-200-steps', title: 'Fig. 4: MNIST, 200 steps (trained on 100)', optimizer: 'mnist', family: mnist({}), steps: 200 },
    { id: 'fig5-mnist-40-units', title: 'Fig. 5: MNIST, 40 hidden units', optimizer: 'mnist', family: mnist({ hidden: [40] }), steps: 100 },
    { id: 'fig5-mnist-2-layers', title: 'Fig. 5: MNIST, 2 hidden layers', optimizer: 'mnist', family: mnist({ hidden: [20, 20] }), steps: 100 },
    { id: 'fig5-mnist-relu', title: 'Fig. 5: MNIST, ReLU', optimizer: 'mnist', family: mnist({ activation: 'relu' }), steps: 100 },
  ];
}

interface ReproduceFlags {
  out: string;
  train: boolean;
  pretrained: string;
  mnistOptimizer?: string;
  seed: number;
  quadraticRuns: number;
  mnistRuns: number;
  mnistTuningRuns: number;
  only?: string;
  threads: number;
}

/** Registers `l2l reproduce`. */
export function registerReproduce(program: Command): void {
  program
    .command('reproduce')
    .description("the paper's Figures 4 and 5: every panel against tuned SGD, NAG, RMSprop and Adam; writes DIR/<panel>/ and DIR/summary.md")
    .requiredOption('--out <dir>', 'output directory')
    .option('--pretrained <dir>', 'directory with quadratic.json and mnist.json', 'pretrained')
    .option('--mnist-optimizer <file>', 'the learned optimizer of the MNIST panels (default: mnist.json in --pretrained), e.g. pretrained/mnist-log-objective.json')
    .option('--train', 'meta-train both optimizers afresh (into DIR/trained/) instead of using the pretrained ones', false)
    .option('--seed <n>', 'seed of the held-out optimizees (not one used in training)', intIn(0), 1000)
    .option('--quadratic-runs <n>', 'held-out quadratics', intIn(1, 1_000_000), 1000)
    .option('--mnist-runs <n>', 'held-out networks per MNIST panel', intIn(1, 100_000), 20)
    .option('--mnist-tuning-runs <n>', 'networks used to tune each MNIST learning rate', intIn(1, 100_000), 10)
    .option('--threads <n>', 'worker threads that run the evaluation (same numbers on any number)', intIn(1, 64), 2)
    .option('--only <ids>', `comma-separated panel ids (${paperPanels().map((p) => p.id).join(', ')})`)
    .action(async (flags: ReproduceFlags) => {
      await runReproduce(flags);
    });
}

async function runReproduce(flags: ReproduceFlags): Promise<void> {
  ensureWritableDir(flags.out);
  const engine = selectEngine();
  const panels = paperPanels(engine).filter((p) => !flags.only || flags.only.split(',').includes(p.id));
  const files = { quadratic: path.join(flags.pretrained, 'quadratic.json'), mnist: flags.mnistOptimizer ?? path.join(flags.pretrained, 'mnist.json') };
  if (flags.train) {
    const trainedDir = path.join(flags.out, 'trained');
    for (const task of ['quadratic', 'mnist'] as const) {
      if (!panels.some((p) => p.optimizer === task)) continue;
      const out = path.join(trainedDir, task);
      const args = [...pretrainedRecipe(task), '--out', out];
      const trained = await runTrain(parseTrainFlags(args), `l2l train ${args.join(' ')}`);
      files[task] = trained.optimizerFile;
    }
  }
  const learned = { quadratic: lazyLoad(files.quadratic), mnist: lazyLoad(files.mnist) };
  const sections: string[] = [];
  const runner = new EvalPool(flags.threads, tf.getBackend(), engine.name);
  try {
    for (const panel of panels) sections.push(await reproducePanel(panel, flags, learned[panel.optimizer](), files[panel.optimizer], runner, engine));
  } finally {
    await runner.close();
  }
  const summary = ['# Reproduction of Figures 4 and 5', '', 'Cells: mean (median) minibatch loss after that many steps; MNIST panels also give the full test-set loss and accuracy at the end.', '', ...sections].join('\n');
  writeFileAtomic(path.join(flags.out, 'summary.md'), summary);
  writeFileAtomic(path.join(flags.out, 'index.json'), JSON.stringify(resultsIndex('Reproduction of Figures 4 and 5', panels), null, 1));
  process.stderr.write(`wrote ${path.join(flags.out, 'summary.md')}\n`);
}

/** The `l2l train` arguments the shipped pretrained optimizers were trained with (see their provenance). */
export function pretrainedRecipe(task: 'quadratic' | 'mnist'): string[] {
  return task === 'quadratic'
    ? ['--task', 'quadratic', '--iterations', '1000', '--seed', '0']
    : ['--task', 'mnist', '--meta-objective', 'log', '--meta-lr', '3e-3', '--horizon', '200', '--validate-every', '10', '--validation-members', '20', '--iterations', '200', '--imitate', 'nag:1', '--imitation-fraction', '1', '--seed', '3'];
}

function lazyLoad(file: string): () => ReturnType<typeof loadOptimizer> {
  let loaded: ReturnType<typeof loadOptimizer> | undefined;
  return () => (loaded ??= loadOptimizer(file));
}

/** Compares the learned optimizer with the paper's baselines on one panel; returns its summary.md section. */
async function reproducePanel(panel: Panel, flags: ReproduceFlags, { config, phi }: { config: LstmConfig; phi: Float32Array }, file: string, runner: UnrollRunner, engine: Engine): Promise<string> {
  process.stderr.write(`== ${panel.title}\n`);
  const runs = panel.optimizer === 'quadratic' ? flags.quadraticRuns : flags.mnistRuns;
  const compareConfig = defaultCompareConfig(panel.steps, runs, flags.seed, panel.family);
  compareConfig.tuning.members = panel.optimizer === 'quadratic' ? 128 : flags.mnistTuningRuns;
  const progress = createProgress(1, `   ${panel.id}`);
  const results: Results = await compare(
    panel.family,
    [lstmContender(learnedOptimizerName(config), config, phi, engine), ...PAPER_BASELINES.map((name) => handDesignedContender(name))],
    compareConfig,
    (line) => progress.log(`   ${line}`),
    { runner, onJob: (done, total) => progress.update(done, {}, total) },
  ).finally(() => progress.stop());
  const choice = panel.optimizer === 'mnist' && flags.mnistOptimizer && !flags.train ? ` --mnist-optimizer ${flags.mnistOptimizer}` : '';
  const command = `l2l reproduce --out ${flags.out} --only ${panel.id} --seed ${flags.seed} --${panel.optimizer}-runs ${runs}${choice}`;
  await writeReport(path.join(flags.out, panel.id), results, command);
  const section = `## ${panel.title}\n\n${runs} runs, seed ${flags.seed}, optimizer \`${file}\`. ![](${panel.id}/loss.png)\n\n${summaryTable(results)}\n`;
  process.stdout.write(`\n${panel.title}\n${summaryTable(results)}\n`);
  return section;
}
