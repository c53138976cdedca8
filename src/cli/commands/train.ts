/** `l2l train`: meta-trains an LSTM optimizer and saves the best one on validation. */
import fs from 'node:fs';
import { writeFileAtomic } from '../../io/atomicWrite.ts';
import { UserError } from '../../io/userError.ts';
import { CHECKPOINT_FORMAT, type MetaCheckpoint } from '../../meta/checkpoint.ts';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { loadOptimizer, saveOptimizer } from '../../io/optimizerStore.ts';
import type { BaseStep } from '../../learned/baseStep.ts';
import { LSTM_INPUTS, lstmParamCount, metaParamCount, metaParamShapes, metaParamViews, PAPER_LSTM, type LstmConfig, type LstmInputs } from '../../learned/lstmConfig.ts';
import type { StageRecord } from '../../meta/curriculum.ts';
import { HAND_DESIGNED } from '../../optimizers/registry.ts';
import { esPositions } from '../../meta/es.ts';
import { metaTrain, type MetaTrainConfig, type MetaTrainResult, type ValidationMetric } from '../../meta/metaTrain.ts';
import type { LongValidation, ValidationMean } from '../../meta/validation.ts';
import { META_OBJECTIVES, type MetaObjective } from '../../tasks/task.ts';
import * as tf from '@tensorflow/tfjs';
import { selectEngine } from '../../engine/select.ts';
import { PARALLEL_MIN_ROWS } from '../../engine/workers/shardedLstm.ts';
import { EvalPool } from '../../eval/evalPool.ts';
import { randomUUID } from 'node:crypto';
import type { Engine } from '../../engine/engine.ts';
import { queueTruncations, RunStateLost, type QueueRunner } from '../../distributed/learner.ts';
import type { RunRecord } from '../../distributed/protocol.ts';
import { familySpec } from '../../tasks/familySpec.ts';
import type { TaskFamily } from '../../tasks/task.ts';
import { familyFromFlags, addTaskFlags, hiddenSizes, trainingDefaults, type TaskFlags } from '../taskFlags.ts';
import { tuneTeachers } from '../../meta/teachers.ts';
import type { ImitationTrajectory } from '../../meta/truncation.ts';
import { MixtureFamily } from '../../tasks/mixture.ts';
import { horizonList, intIn, nonNegativeNumber, oneOf, optimizerAtRate, positiveNumber } from '../options.ts';
import { createProgress } from '../progress.ts';
import { ensureWritableDir } from '../outputDir.ts';
import { dropReplacedRun, prepareNewRun, settleReplacedRun } from '../runDir.ts';
import { checkTrainSize } from '../limits.ts';
import { PACKAGE_VERSION } from '../version.ts';

/** Flags of `l2l train`. */
export interface TrainFlags extends TaskFlags {
  out: string;
  iterations: number;
  seed: number;
  members?: number;
  horizon: number;
  unroll: number;
  metaLr: number;
  validateEvery: number;
  validationMembers?: number;
  /** Absent: the task's default (1 on quadratics, off on MNIST). */
  clip?: number;
  /** Absent: the paper's 0.1 (or, with --warm-start, the file's). */
  outputScale?: number;
  finalLrFactor: number;
  metaObjective: MetaObjective;
  selectBy: ValidationMetric;
  /** How a mixture's validation combines its components (absent: 'arithmetic'). */
  validationMean?: ValidationMean;
  /** A mixture component also validated at a longer horizon (absent: none). */
  validationLong?: LongValidation;
  inputs: LstmInputs;
  /** Units per layer of the LSTM optimizer (absent: the paper's 20,20, or the warm-start file's). */
  lstmHidden?: number[];
  /** λ of a magnitude output (absent or 0: the paper's single output, or the warm-start file's head). */
  magnitude?: number;
  /** The LSTM also reads each coordinate's value θ (absent: not, or the warm-start file's setting). */
  paramInput?: boolean;
  /** Absent: 2 on the TensorFlow.js engine, 1 on the native one. */
  threads?: number;
  checkpointEvery?: number;
  /** Optimizer file whose φ (and LSTM settings) the run starts from. */
  warmStart?: string;
  /** With warmStart: start the head (the output layer) at zero. */
  resetHead?: boolean;
  /** Only truncations starting at this step or later update φ (absent: 0). */
  updateFrom?: number;
  /** A hand-designed step added to the LSTM's output (absent: none, the paper). */
  base?: BaseStep;
  /** Meta-learn the base step's rate, starting from --base's (absent: fixed). */
  learnBaseRate?: boolean;
  /** Training horizons of a curriculum's stages (absent: one stage of --horizon). */
  curriculum?: number[];
  /** Validations without a better one that end a stage (absent: 3 with a curriculum, never without). */
  patience?: number;
  /** A teacher to imitate on a fraction of iterations (absent: none); 'tuned': each family's best tuned baseline. */
  imitate?: BaseStep | 'tuned';
  /** The fraction of iterations that imitate (absent: 0.3 with --imitate). */
  imitationFraction?: number;
  /** Whose updates move θ while imitating (absent: the teacher's). */
  imitateOn?: ImitationTrajectory;
  /** Random scaling of training tasks' coordinates (absent: 0, off). */
  randomScale?: number;
  /** Task samples per meta-iteration whose meta-gradients are averaged (absent: 1). */
  groups?: number;
  /** Antithetic pairs of an evolution-strategies meta-step per iteration (absent or 0: the paper's meta-gradient). */
  esPairs?: number;
  /** ES perturbation scale σ (absent: 0.01). */
  esSigma?: number;
  /** Guided ES: the fraction of the perturbations' variance along the paper's meta-gradient (absent: 0, plain ES). */
  esGuide?: number;
  /** The meta-parameters ES perturbs, by name prefix (absent: all of φ). */
  esParams?: string[];
  /** Redis URL: the groups' truncations run on workers (`l2l worker`) through a BullMQ queue. */
  redis?: string;
  /** The run's id in Redis (made when the run starts, kept by its checkpoints). */
  runId?: string;
}

/** Adds the flags of `l2l train` to a command. */
export function addTrainFlags(command: Command): Command {
  return addTaskFlags(command)
    .option('--iterations <n>', 'meta-iterations (one horizon each)', intIn(1), 300)
    .option('--seed <n>', 'seed of every random draw', intIn(0), 0)
    .option('--members <n>', 'optimizees per meta-iteration (default: 128 quadratics, 1 MNIST network)', intIn(1, 100_000))
    .option('--horizon <n>', 'optimizee steps per meta-iteration', intIn(1, 100_000), 100)
    .option('--unroll <n>', 'steps per truncation of BPTT', intIn(1, 10_000), 20)
    .option('--update-from <step>', 'only truncations that start at this step or later update the LSTM (the earlier ones only advance the optimizee): trains it for the later part of training', intIn(0, 100_000), 0)
    .option('--meta-lr <x>', 'initial learning rate of the Adam meta-optimizer', positiveNumber(1), 3e-3)
    .option('--final-lr-factor <x>', 'the meta learning rate decays exponentially to this fraction by the last iteration', positiveNumber(1), 0.1)
    .option('--meta-objective <name>', "'loss': Σ l(θt) (the paper); 'log': Σ log l(θt), each member's; 'log-mean': Σ log of the members' mean loss (scale-free, and weighted toward the members the mean reports)", oneOf(META_OBJECTIVES), 'loss')
    .option('--select-by <name>', "keep the optimizer with the best validation loss at the 'final' step, the 'mean' over steps or the mean over the last half ('tail'), or 'last': no selection, the φ of the last validation (a fine-tune of fixed length, without --curriculum or --patience)", oneOf(['final', 'mean', 'tail', 'last'] as const), 'final')
    .option('--validate-every <n>', 'validate every n iterations', intIn(1), 10)
    .option('--validation-members <n>', 'fixed validation optimizees (default: 1024 quadratics, 10 MNIST networks)', intIn(1, 100_000))
    .option('--validation-mean <name>', "with --task mixture: combine the components' validation curves by their 'arithmetic' mean (default) or 'geometric' mean (each component's relative gain counts the same, as the ratios of l2l generalize do)", oneOf(['arithmetic', 'geometric'] as const))
    .option('--validation-long <component:steps>', 'with --task mixture: also validate this component at this horizon, as one more component (its final step counts as the stage\'s), e.g. mnist:1000', longValidation)
    .option('--clip <x>', 'clip the meta-gradient to this global norm (0: off; default 1 on quadratics, 0 on mnist)', nonNegativeNumber)
    .option('--inputs <name>', "what the LSTM reads: 'gradient' (the paper, log-magnitude and sign with p = 10), 'adam' (RNNprop: Adam-normalized momentum and gradient), 'both' (all four) or 'adam-log' (RNNprop's two and their log-magnitudes)", oneOf(LSTM_INPUTS), 'gradient')
    .option('--lstm-hidden <sizes>', `units per layer of the LSTM optimizer, e.g. 40,40 (default: the paper's ${PAPER_LSTM.hidden.join(',')}, or with --warm-start the file's)`, hiddenSizes)
    .option('--param-input', "the LSTM also reads the log-magnitude of each coordinate's value, log(|θ| + 0.001)/10: the scale of the parameters it moves (default: off, or with --warm-start the file's)")
    .option('--magnitude <λ>', "give the LSTM's head a second output m, the log-magnitude of its step: update = output scale · d · e^(λ·m) (Metz et al. 2020), so that steps can shrink or grow by orders of magnitude; 0: the paper's single output (default 0, or with --warm-start the file's)", nonNegativeNumber)
    .option('--output-scale <x>', `the LSTM output is multiplied by this (default: ${PAPER_LSTM.outputScale}, or with --warm-start the file's)`, positiveNumber())
    .option('--base <name:lr>', 'add a hand-designed optimizer\'s step at this learning rate to the LSTM\'s output, e.g. nag:1 (the LSTM learns a correction to it; default: none, as in the paper, or with --warm-start the file\'s)', optimizerAtRate(Object.keys(HAND_DESIGNED)))
    .option('--learn-base-rate', "with --base: meta-learn the base step's rate (a log-scale in φ, from --base's rate), instead of keeping it fixed")
    .option('--curriculum <horizons>', 'a curriculum over the horizon (Chen et al. 2020): training horizons of its stages, e.g. 100,200,500,1000; each stage is validated on the next one\'s horizon and ends after --patience validations without a better one (replaces --horizon)', horizonList)
    .option('--patience <n>', 'validations in a row without a better one that end a curriculum stage (after the last, training); default 3 with --curriculum, never without', intIn(1, 1000))
    .option(
      '--imitate <name:lr|tuned>',
      "on a fraction of iterations, train the LSTM to reproduce this hand-designed optimizer's updates along its own trajectory, e.g. nag:1 at its tuned rate (Chen et al. 2020); 'tuned': the best of NAG, Adam and RMSprop tuned on the grid for the task (for each task of a mixture)",
      (value: string) => (value === 'tuned' ? 'tuned' : optimizerAtRate(Object.keys(HAND_DESIGNED))(value)),
    )
    .option('--imitation-fraction <x>', 'the fraction of iterations that imitate (with --imitate; default 0.3)', positiveNumber(1))
    .option('--imitate-on <trajectory>', "with --imitate: whose updates move the optimizee while the LSTM imitates: 'teacher' (Chen et al. 2020) or 'learner', its own (on-policy, as DAgger: the teacher's updates are computed from the gradients the learned optimizer meets)", oneOf(['teacher', 'learner'] as const), 'teacher')
    .option('--random-scale <s>', "scale training tasks' coordinates by e^U(−s, s), as RNNprop does (0: off)", nonNegativeNumber, 0)
    .option('--groups <n>', 'task samples per meta-iteration (each its own seed stream), whose meta-gradients are averaged into each meta-step', intIn(1, 10_000), 1)
    .option('--es-pairs <n>', "meta-steps from evolution strategies instead of the paper's meta-gradient: one normalized step (root-mean-square --meta-lr per value) per iteration, from this many antithetic pairs of whole-horizon runs (φ ± σε, each pair on its own task sample), which estimate the gradient of the true meta-loss (with --update-from S: of its steps after S; 0: off)", intIn(0, 10_000), 0)
    .option('--es-sigma <x>', 'with --es-pairs: the perturbation scale σ (default 0.01)', positiveNumber(1))
    .option('--es-guide <a>', "with --es-pairs: Guided ES, the fraction of the perturbations' variance along the paper's meta-gradient of the horizon (0: plain ES; default 0)", (value: string) => {
      const a = Number(value);
      if (!(a >= 0 && a < 1)) throw new InvalidArgumentError('expected a number in [0, 1)');
      return a;
    })
    .option('--es-params <names>', "with --es-pairs: perturb and train only these meta-parameters, by name prefix, e.g. head (the output layer) or lstm1,head (default: all of φ)", (value: string) => value.split(',').map((p) => p.trim()).filter((p) => p.length > 0))
    .option('--redis <url>', 'compute the groups on workers (l2l worker --redis URL, on any machine) through a BullMQ queue on this Redis, e.g. redis://127.0.0.1:6379')
    .option('--warm-start <file>', 'start from this optimizer file (its LSTM settings and φ) instead of a fresh φ, e.g. to fine-tune a shipped optimizer on a longer horizon')
    .option('--reset-head', "with --warm-start: start the output layer (head) at zero, keeping the file's LSTM layers; with --base the optimizer then starts as exactly its base step and learns its correction from there")
    .option('--threads <n>', `threads that run the validation, and on the TensorFlow.js engine share the LSTM rows of tasks with at least ${PARALLEL_MIN_ROWS} coordinates (worker threads; default 2 on TensorFlow.js, where the rounding then depends on the number, and 1 with the native kernels, which use every core in any case)`, intIn(1, 16));
}

/** The flags of `train` parsed from `args` with their defaults, exactly as the command line would. */
export function parseTrainFlags(args: string[]): TrainFlags {
  return addTrainFlags(new Command().exitOverride()).option('--out <dir>').parse(args, { from: 'user' }).opts() as TrainFlags;
}

/** φ of a warm start for `config`: with a learned base rate the file lacks, β = 0 appended (the configured rate). */
function withLearnedRate(config: LstmConfig, phi: Float32Array): Float32Array {
  if (phi.length === metaParamCount(config)) return phi;
  if (config.base?.learnRate && phi.length === lstmParamCount(config)) return Float32Array.from([...phi, 0]);
  throw new UserError(`the warm-start file's φ has ${phi.length} values; this configuration needs ${metaParamCount(config)}`);
}

/** Sets the head's weights and biases of φ (in place) to zero: the LSTM's output is then 0. */
function zeroHead(config: LstmConfig, phi: Float32Array): void {
  for (const [name, , view] of metaParamViews(config, phi)) if (name.startsWith('head.')) view.fill(0);
}

/** The learner's queue of a run with --redis: its record published, the groups' truncations sent to workers. */
async function startQueue(flags: TrainFlags, engine: Engine, family: TaskFamily, config: MetaTrainConfig): Promise<QueueRunner> {
  const { seed, lstm, membersPerTask, metaObjective, groups, randomScale, imitation } = config;
  const record: RunRecord = {
    id: flags.runId!,
    packageVersion: PACKAGE_VERSION,
    engine: engine.name,
    family: familySpec(family),
    settings: { seed, lstm, membersPerTask, metaObjective, ...(groups ? { groups } : {}), ...(randomScale ? { randomScale } : {}), ...(imitation ? { imitation } : {}) },
  };
  try {
    return await queueTruncations(flags.redis!, record, config.groups ?? 1);
  } catch (error) {
    throw new UserError(`cannot use the Redis at ${flags.redis}: ${error instanceof Error ? error.message : error}`);
  }
}

/** The queue's state for the progress line: workers, jobs waiting or running, milliseconds per meta-step. */
function queueFields(queue: QueueRunner): Record<string, string> {
  const { workers, pending, done } = queue.status();
  return { workers: String(workers), jobs: `${pending} pending, ${done} done`, 'ms/step': queue.timing().wallMs.toFixed(0) };
}

/** The base step the flags ask for, its rate learned with --learn-base-rate. */
function baseOf(flags: TrainFlags): BaseStep {
  return { ...flags.base!, ...(flags.learnBaseRate ? { learnRate: true } : {}) };
}

/** `--validation-long COMPONENT:STEPS`, e.g. mnist:1000. */
function longValidation(value: string): LongValidation {
  const [component, steps, ...rest] = value.split(':');
  const n = Number(steps);
  if (rest.length > 0 || !component || !Number.isInteger(n) || n < 1 || n > 100_000) {
    throw new InvalidArgumentError(`expected COMPONENT:STEPS with a mixture component's id and a whole number of steps (e.g. mnist:1000), got '${value}'.`);
  }
  return { component, steps: n };
}

/** Registers `l2l train`. */
export function registerTrain(program: Command): void {
  addTrainFlags(program.command('train').description('meta-train an LSTM optimizer; writes DIR/optimizer.json, DIR/log.jsonl and DIR/checkpoint.json'))
    .option('--out <dir>', 'output directory of a new run')
    .option('--resume <dir>', 'continue the run in DIR from its checkpoint (its own flags are used)')
    .option('--force', 'with --out: replace the run DIR holds (kept in DIR/previous-run/ until the new run\'s first checkpoint)')
    .option('--checkpoint-every <n>', 'write DIR/checkpoint.json every n iterations (and on Ctrl-C or SIGTERM; default 10, 1 with --redis)', intIn(1))
    .action(async (flags: TrainFlags & { out?: string; resume?: string; force?: boolean; checkpointEvery: number }) => {
      const command = `l2l train ${process.argv.slice(3).join(' ')}`.trim();
      const dir = flags.resume ?? flags.out;
      const settled = dir ? settleReplacedRun(dir) : null;
      if (settled) process.stderr.write(settled + '\n');
      if (!dir) throw new UserError('train needs --out DIR to start a run, or --resume DIR to continue one');
      const resume = () => {
        const saved = readCheckpointFile(dir);
        return runTrain({ ...saved.flags, out: dir, checkpointEvery: flags.checkpointEvery }, saved.command, saved);
      };
      try {
        await (flags.resume ? resume() : runTrain({ ...flags, force: undefined } as TrainFlags, command, undefined, flags.force ? 'force' : 'refuse'));
      } catch (error) {
        // Redis lost the run's jobs or states (a restart without persistence): continue from the last checkpoint.
        for (let lost = error; lost instanceof RunStateLost; ) {
          process.stderr.write(`Redis lost the run's state (${lost.message}); continuing from the last checkpoint\n`);
          try {
            await (fs.existsSync(path.join(dir, 'checkpoint.json')) ? resume() : runTrain({ ...flags, force: undefined } as TrainFlags, command));
            return;
          } catch (again) {
            lost = again;
            if (!(again instanceof RunStateLost)) throw again;
          }
        }
        throw error;
      }
    });
}

/** What checkpoint.json holds beside the meta-training state. */
interface CheckpointFile extends MetaCheckpoint {
  flags: TrainFlags;
  command: string;
  /** Lines of log.jsonl written up to this checkpoint (later ones are dropped on resume). */
  logLines: number;
}

/**
 * `--imitate tuned`: each family's (each mixture component's) best of NAG, Adam and RMSprop,
 * tuned on the grid on training optimizees over the longest training horizon; seeded, so a
 * resumed run finds the same teachers.
 */
function tunedImitation(family: TaskFamily, flags: TrainFlags): NonNullable<MetaTrainConfig['imitation']> {
  const horizon = flags.curriculum ? flags.curriculum[flags.curriculum.length - 1] : flags.horizon;
  const tuned = tuneTeachers(family, horizon, flags.seed, flags.members ?? trainingDefaults(flags.task).members, (id, t) =>
    process.stderr.write(`teacher${id ? ` for ${id}` : ''}: ${t.optimizer} at ${t.learningRate} (final loss ${t.finalLoss.toPrecision(3)} after ${horizon} steps)\n`),
  );
  const teachers = Object.fromEntries(Object.entries(tuned).map(([id, t]) => [id, { optimizer: t.optimizer, learningRate: t.learningRate }]));
  const [first] = Object.values(teachers);
  return { teacher: first, fraction: flags.imitationFraction ?? 0.3, ...(family instanceof MixtureFamily ? { teachers } : {}), ...onLearner(flags) };
}

/** `--imitate-on learner` as imitation settings (the teacher's trajectory, the default, adds nothing, so older checkpoints match). */
function onLearner(flags: TrainFlags): { trajectory?: ImitationTrajectory } {
  return flags.imitateOn === 'learner' ? { trajectory: 'learner' } : {};
}

/** --validation-mean and --validation-long need a mixture, and --validation-long one of its components. */
function checkMixtureValidation(flags: TrainFlags, family: TaskFamily): void {
  if (!flags.validationMean && !flags.validationLong) return;
  const flag = flags.validationMean ? '--validation-mean' : '--validation-long';
  if (!(family instanceof MixtureFamily)) throw new UserError(`${flag} combines a mixture's components: use it with --task mixture --mixture ...`);
  const ids = family.components.map((c) => c.id);
  if (flags.validationLong && !ids.includes(flags.validationLong.component)) {
    throw new UserError(`--validation-long names '${flags.validationLong.component}', not a component of the mixture: use one of ${ids.join(', ')}`);
  }
}

/** Reads DIR/checkpoint.json, or explains what is wrong with it. */
function readCheckpointFile(dir: string): CheckpointFile {
  const file = path.join(dir, 'checkpoint.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`no checkpoint to resume in '${dir}' (${file} is missing): start a run with --out ${dir}`);
  }
  try {
    const saved = JSON.parse(text) as CheckpointFile;
    if (saved.format !== CHECKPOINT_FORMAT || typeof saved.flags !== 'object' || !Number.isInteger(saved.logLines)) throw new Error('format');
    return saved;
  } catch {
    throw new UserError(`checkpoint '${file}' is corrupt or not a checkpoint: start a new run with --out`);
  }
}

/**
 * Meta-trains with `flags`, writing optimizer.json (best on validation), log.jsonl and
 * checkpoint.json into flags.out; continues from `resume` when given. A new run in a directory
 * that holds one is refused (`existing` 'refuse', as `l2l train --out` does), replaces it safely
 * ('force', see runDir.ts) or overwrites it ('overwrite': commands that redo their own runs).
 */
export async function runTrain(flags: TrainFlags, command: string, resume?: CheckpointFile, existing: 'refuse' | 'force' | 'overwrite' = 'overwrite'): Promise<MetaTrainResult & { optimizerFile: string }> {
  if (flags.learnBaseRate && !flags.base) throw new UserError('--learn-base-rate learns the rate of a base step: add --base NAME:RATE (the rate it starts from), e.g. --base nag:0.1');
  if (flags.imitateOn === 'learner' && !flags.imitate) throw new UserError('--imitate-on learner says whose trajectory imitation follows: add --imitate NAME:RATE, e.g. --imitate nag:1');
  if (flags.imitationFraction !== undefined && !flags.imitate) throw new UserError('--imitation-fraction needs a teacher to imitate: add --imitate NAME:RATE, e.g. --imitate nag:1');
  const es = flags.esPairs ? { pairs: flags.esPairs, sigma: flags.esSigma ?? 0.01, guide: flags.esGuide ?? 0, ...(flags.esParams ? { params: flags.esParams } : {}) } : undefined;
  if (!es && (flags.esSigma !== undefined || flags.esGuide !== undefined || flags.esParams !== undefined)) throw new UserError('--es-sigma, --es-guide and --es-params set evolution strategies up: add --es-pairs N (pairs per meta-step), e.g. --es-pairs 8');
  if (flags.selectBy === 'last' && (flags.curriculum || flags.patience !== undefined)) throw new UserError('--select-by last keeps every validated φ, so --curriculum and --patience would never end a stage: train one horizon with --horizon N (or choose --select-by final)');
  if (es && flags.imitate) throw new UserError('--es-pairs estimates the gradient of the meta-loss, not of imitation: drop --imitate (or --es-pairs)');
  if (es && flags.redis) throw new UserError('--es-pairs runs here, not on workers: drop --redis (or --es-pairs)');
  if (es && (flags.groups ?? 1) > 1) throw new UserError('--es-pairs draws a task sample per pair: drop --groups (or --es-pairs)');
  if ((flags.updateFrom ?? 0) >= flags.horizon) {
    throw new UserError(`--update-from ${flags.updateFrom} leaves no truncation to train in a horizon of ${flags.horizon}: use a step below --horizon`);
  }
  if (flags.horizon % flags.unroll !== 0) {
    // Not an error for the algorithm, but the paper's schedule is whole truncations.
    process.stderr.write(`note: horizon ${flags.horizon} is not a multiple of unroll ${flags.unroll}; the last truncation is shorter\n`);
  }
  const defaults = trainingDefaults(flags.task);
  const config: MetaTrainConfig = {
    iterations: flags.iterations,
    membersPerTask: flags.members ?? defaults.members,
    horizon: flags.horizon,
    unrollLength: flags.unroll,
    metaLearningRate: flags.metaLr,
    finalMetaLrFactor: flags.finalLrFactor,
    metaObjective: flags.metaObjective,
    updateFromStep: flags.updateFrom ?? 0,
    selectBy: flags.selectBy,
    ...(flags.validationMean ? { validationMean: flags.validationMean } : {}),
    ...(flags.validationLong ? { validationLong: flags.validationLong } : {}),
    validateEvery: flags.validateEvery,
    validationMembers: flags.validationMembers ?? defaults.validationMembers,
    clipGradNorm: flags.clip ?? defaults.clip,
    validationChunks: defaults.validationChunks,
    seed: flags.seed,
    lstm: { ...PAPER_LSTM, hidden: flags.lstmHidden ?? PAPER_LSTM.hidden, inputs: flags.inputs, outputScale: flags.outputScale ?? PAPER_LSTM.outputScale, ...(flags.magnitude ? { magnitude: flags.magnitude } : {}), ...(flags.paramInput ? { paramInput: true } : {}), ...(flags.base ? { base: baseOf(flags) } : {}) },
    ...(flags.curriculum ? { curriculum: flags.curriculum } : {}),
    ...(flags.patience !== undefined ? { patience: flags.patience } : {}),
    ...(flags.imitate && flags.imitate !== 'tuned' ? { imitation: { teacher: flags.imitate, fraction: flags.imitationFraction ?? 0.3, ...onLearner(flags) } } : {}),
    ...(flags.randomScale ? { randomScale: flags.randomScale } : {}),
    ...((flags.groups ?? 1) > 1 ? { groups: flags.groups } : {}),
    ...(es ? { es } : {}),
  };
  if (flags.curriculum) config.horizon = flags.curriculum[0];
  // A warm start brings its own LSTM settings (--output-scale and --base, when given, replace the
  // file's: e.g. to add a base step to a trained LSTM); the run records where it started.
  const warm = flags.warmStart ? loadOptimizer(flags.warmStart) : undefined;
  if (warm) {
    const lstm = { ...warm.config, ...(flags.outputScale !== undefined ? { outputScale: flags.outputScale } : {}), ...(flags.base ? { base: baseOf(flags) } : {}) };
    if (warm.config.inputs !== flags.inputs) process.stderr.write(`note: --inputs comes from ${flags.warmStart} (${warm.config.inputs})\n`);
    if (flags.lstmHidden && flags.lstmHidden.join(',') !== warm.config.hidden.join(',')) {
      throw new UserError(`--lstm-hidden ${flags.lstmHidden.join(',')} differs from ${flags.warmStart}'s LSTM (${warm.config.hidden.join(',')}): leave --lstm-hidden out to continue the file's`);
    }
    if (flags.paramInput && !warm.config.paramInput) {
      throw new UserError(`--param-input adds inputs ${flags.warmStart}'s LSTM does not read: leave --param-input out to continue the file's, or train without --warm-start`);
    }
    if (flags.magnitude !== undefined && flags.magnitude !== (warm.config.magnitude ?? 0)) {
      throw new UserError(`--magnitude ${flags.magnitude} differs from ${flags.warmStart}'s head (magnitude ${warm.config.magnitude ?? 0}): leave --magnitude out to continue the file's`);
    }
    process.stderr.write(`note: from ${flags.warmStart}: output scale ${lstm.outputScale}, base ${lstm.base ? `${lstm.base.optimizer}:${lstm.base.learningRate}` : 'none'}\n`);
    config.lstm = lstm;
  }
  if (flags.resetHead && !warm) throw new UserError('--reset-head zeroes the output layer of a warm start: add --warm-start FILE');
  const warmStart = warm ? { file: flags.warmStart, command: warm.provenance.command, ...(flags.resetHead ? { resetHead: true } : {}) } : undefined;
  if (es?.params) {
    const unknown = es.params.find((p) => esPositions(config.lstm, [p]).length === 0);
    if (unknown !== undefined || es.params.length === 0) {
      const layers = new Set(metaParamShapes(config.lstm).map(([name]) => name.split('.')[0]));
      throw new UserError(`--es-params '${unknown ?? ''}' names no meta-parameter: use prefixes of ${[...layers].join(', ')}, e.g. head`);
    }
  }
  // A warm start whose file has no learned base rate starts that rate at --base's (β = 0).
  const initialPhi = warm ? withLearnedRate(config.lstm, warm.phi) : undefined;
  if (initialPhi && flags.resetHead) zeroHead(config.lstm, initialPhi);
  const plain = selectEngine();
  const threads = flags.threads ?? (plain.name === 'tfjs' ? 2 : 1);
  const engine = threads > 1 && plain.name === 'tfjs' ? selectEngine({ kernel: 'tfjs', workerThreads: threads - 1 }) : plain;
  const family = familyFromFlags(flags, 'train', engine);
  checkMixtureValidation(flags, family);
  if (flags.imitate === 'tuned') config.imitation = tunedImitation(family, flags);
  checkTrainSize(family, config.lstm, config.membersPerTask, config.validationMembers, config.unrollLength);
  if (!resume && existing !== 'overwrite') prepareNewRun(flags.out, existing === 'force');
  ensureWritableDir(flags.out);
  const validationRunner = new EvalPool(threads, tf.getBackend(), engine.name);
  // With --redis the groups' truncations run on workers; the run's id travels with its checkpoints.
  flags.runId ??= flags.redis ? randomUUID().slice(0, 8) : undefined;
  const queue = flags.redis ? await startQueue(flags, engine, family, config) : undefined;
  const optimizerFile = path.join(flags.out, 'optimizer.json');
  const logFile = path.join(flags.out, 'log.jsonl');
  const checkpointFile = path.join(flags.out, 'checkpoint.json');
  let logLines = 0;
  if (resume) {
    // Drop what was logged after the checkpoint: those iterations run again.
    const kept = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(0, resume.logLines) : [];
    fs.writeFileSync(logFile, kept.map((l) => l + '\n').join(''));
    logLines = kept.length;
    process.stderr.write(`resuming ${flags.out} at iteration ${resume.iteration}\n`);
  } else {
    fs.writeFileSync(logFile, JSON.stringify({ type: 'config', command, task: family.name, taskConfig: family.config, ...config, engine: engine.name, threads, ...(warmStart ? { warmStart } : {}) }) + '\n');
    logLines = 1;
  }
  const log = (entry: object) => {
    fs.appendFileSync(logFile, JSON.stringify(entry) + '\n');
    logLines++;
  };

  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = createProgress(flags.iterations, 'meta-training', resume?.iteration ?? 0);
  let lastValidation = NaN;
  // A resumed run shows its checkpoint's best until a validation beats it.
  let bestValidation = resume?.best.loss ?? NaN;
  let lastIteration: { iteration: number; metaLoss: number; seconds: number } | undefined;
  /** Shows the latest iteration with the latest validation (also after the final validation). */
  const show = () => {
    if (!lastIteration) return;
    progress.update(lastIteration.iteration, {
      'meta-loss': lastIteration.metaLoss.toPrecision(4),
      'val': lastValidation.toPrecision(4),
      'best': bestValidation.toPrecision(4),
      's/it': lastIteration.seconds.toFixed(2),
      ...(queue ? queueFields(queue) : {}),
    });
  };
  // The curriculum's stages so far (recorded in the optimizer file).
  let stages: StageRecord[] = [];
  try {
    const result = await metaTrain(engine, family, config, {
      shouldStop: () => interrupted,
      resume,
      validationRunner,
      ...(queue ? { truncations: queue } : {}),
      ...(initialPhi ? { initialPhi } : {}),
      checkpointEvery: flags.checkpointEvery ?? (flags.redis ? 1 : 10),
      onCheckpoint(checkpoint) {
        const { out: _out, ...savedFlags } = flags;
        writeFileAtomic(checkpointFile, JSON.stringify({ ...checkpoint, flags: { ...savedFlags, out: '' }, command, logLines }));
        dropReplacedRun(flags.out);
      },
      onIteration(info) {
        log({ type: 'iteration', ...info });
        lastIteration = info;
        show();
      },
      onStage(ended, next) {
        log({ type: 'stage', ended, next });
        progress.log(`curriculum: the ${ended.horizon}-step stage ended at iteration ${ended.endIteration} (best validation ${ended.bestLoss?.toPrecision(4)} at ${ended.validationHorizon} steps, iteration ${ended.bestIteration})${next ? `; training on ${next.horizon} steps` : '; the last stage is over'}`);
      },
      onValidation(info, best, history) {
        log({ type: 'validation', ...info });
        if (history) stages = history;
        if (info.collapsed) progress.log(`iteration ${info.iteration}: collapse detected (validation loss no lower than at the start); restored the best optimizer and halved the meta learning rate`);
        lastValidation = info.validationScore;
        if (info.isBest) {
          bestValidation = lastValidation;
          saveOptimizer(optimizerFile, config.lstm, best, {
            command,
            seed: flags.seed,
            task: family.name,
            taskConfig: family.config,
            iterations: info.iteration,
            bestIteration: info.trainedTo,
            validationLoss: lastValidation,
            trainingConfig: { ...config, ...(warmStart ? { warmStart } : {}) },
            ...(config.curriculum ? { stages } : {}),
            createdAt: new Date().toISOString(),
            packageVersion: PACKAGE_VERSION,
          });
        }
        show();
      },
    });
    progress.stop();
    const how = result.stopped ? 'interrupted' : 'finished';
    process.stderr.write(
      `meta-training ${how} after ${result.iterationsDone} iterations; best validation loss ${result.bestValidationLoss.toPrecision(4)} at iteration ${result.bestIteration}; saved ${optimizerFile}\n`,
    );
    return { ...result, optimizerFile };
  } finally {
    progress.stop();
    await Promise.all([engine.close(), validationRunner.close(), queue?.close()]);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
