/**
 * The groups of a meta-iteration: `groups` independent task samples, each drawn from its own
 * seed stream of the iteration, whose truncations' meta-gradients are averaged into one
 * meta-step (the meta-gradient of one network is noisy). A group's truncations depend only on
 * the seed, the iteration, φ and the group's own state, so any thread, process or machine can
 * compute them: a `TruncationRunner` decides where — here (`localTruncations`), or on workers
 * through a queue (`distributed/`). Results are combined in group order, so the numbers do not
 * depend on who computed which group.
 */
import type { Engine } from '../engine/engine.ts';
import { baseOptimizer } from '../learned/baseStep.ts';
import type { LstmConfig } from '../learned/lstmConfig.ts';
import { Rng } from '../random/rng.ts';
import { scaledTask } from '../tasks/scaled.ts';
import type { MetaObjective, Task, TaskFamily } from '../tasks/task.ts';
import { MixtureFamily } from '../tasks/mixture.ts';
import { releaseOptimizee, startOptimizee, truncation, type ImitationTrajectory, type OptimizeeState, type TruncationResult } from './truncation.ts';

/** What a group's work needs of the run's configuration. */
export interface GroupSettings {
  seed: number;
  lstm: LstmConfig;
  membersPerTask: number;
  metaObjective: MetaObjective;
  /** Task samples per meta-iteration whose meta-gradients are averaged (default 1). */
  groups?: number;
  /** Random scaling s of training tasks' coordinates (0 or absent: off). */
  randomScale?: number;
  /**
   * On this fraction of iterations, imitate `teacher` instead of minimizing the meta-loss; on a
   * mixture, `teachers` gives each component its own (e.g. its best tuned baseline);
   * `trajectory` says whose updates move θ meanwhile (absent: the teacher's).
   */
  imitation?: { teacher: Teacher; fraction: number; teachers?: Record<string, Teacher>; trajectory?: ImitationTrajectory };
}

/** A hand-designed optimizer at a learning rate, imitated by the LSTM. */
export interface Teacher {
  optimizer: string;
  learningRate: number;
}

/** One truncation of every group of an iteration, as the driver asks for it. */
export interface TruncationRequest {
  iteration: number;
  /** The truncation's index in the horizon (0, 1, …). */
  index: number;
  length: number;
  train: boolean;
  phi: Float32Array;
}

/** Where the groups' truncations are computed. */
export interface TruncationRunner {
  /** Truncation `index` of every group of `iteration` (index 0 starts the groups); results in group order. */
  run(request: TruncationRequest): Promise<TruncationResult[]>;
  /** Frees what the iteration's groups hold. */
  endIteration(iteration: number): Promise<void>;
}

/** The seed stream of group `group` of an iteration (group 0: the iteration's own, as with one group). */
export function groupRng(seed: number, iteration: number, group: number): Rng {
  const iterRng = new Rng(seed).child(`iteration${iteration}`);
  return group === 0 ? iterRng : iterRng.child(`group${group}`);
}

/** Whether meta-iteration `iteration` imitates the teacher (drawn from the seed; the same for all its groups). */
export function isImitationIteration(settings: GroupSettings, iteration: number): boolean {
  return !!settings.imitation && new Rng(settings.seed).child(`iteration${iteration}`).child('imitation').uniform() < settings.imitation.fraction;
}

/** A group's task and its optimizee at the start of the horizon (with the teacher on an imitation iteration). */
export function startGroup(engine: Pick<Engine, 'lstm'>, family: TaskFamily, settings: GroupSettings, iteration: number, group: number): { task: Task; state: OptimizeeState } {
  const rng = groupRng(settings.seed, iteration, group);
  const sampled = family.sample(rng.child('task'), settings.membersPerTask);
  const task = settings.randomScale ? scaledTask(sampled, rng.child('scale'), settings.randomScale) : sampled;
  const state = startOptimizee(engine, settings.lstm, task.init(rng.child('init')));
  const teacher = groupTeacher(family, settings, iteration, group);
  if (teacher) {
    const optimizer = baseOptimizer(teacher);
    state.teacher = { optimizer, state: optimizer.init(state.theta.length) };
  }
  return { task, state };
}

/**
 * The teacher a group imitates, or null on an iteration that does not imitate: on a mixture with
 * a teacher per component, the teacher of the component the group's sample is drawn from.
 */
export function groupTeacher(family: TaskFamily, settings: GroupSettings, iteration: number, group: number): Teacher | null {
  if (!isImitationIteration(settings, iteration)) return null;
  const { teachers, teacher: fallback } = settings.imitation!;
  // The component the mixture picks for this sample (the same draw `sample` makes).
  const component = teachers && family instanceof MixtureFamily ? family.pick(groupRng(settings.seed, iteration, group).child('task')).id : undefined;
  return (component !== undefined && teachers![component]) || fallback;
}

/** One truncation of one group (its state advances in place). */
export function groupTruncation(engine: Pick<Engine, 'lstm'>, settings: GroupSettings, task: Task, state: OptimizeeState, request: TruncationRequest): TruncationResult {
  return truncation(engine, { config: settings.lstm, phi: request.phi }, task, state, request.length, {
    objective: settings.metaObjective,
    train: request.train,
    follow: settings.imitation?.trajectory ?? 'teacher',
  });
}

/** The groups' results as one: losses, meta-objectives and meta-gradients averaged over the groups, in group order (one group: itself). */
export function combineGroups(results: TruncationResult[]): TruncationResult {
  if (results.length === 1) return results[0];
  const n = results.length;
  const losses = results[0].losses.map((_, s) => results.reduce((sum, r) => sum + r.losses[s], 0) / n);
  const grads = results.map((r) => r.metaGrad);
  let metaGrad: Float32Array | null = null;
  if (grads.every((g) => g !== null)) {
    metaGrad = new Float32Array(grads[0]!.length);
    for (let i = 0; i < metaGrad.length; i++) {
      let sum = 0;
      for (const g of grads) sum += g![i];
      metaGrad[i] = sum / n;
    }
  }
  const imitation = results[0].imitationLoss !== undefined ? { imitationLoss: results.reduce((sum, r) => sum + r.imitationLoss!, 0) / n } : {};
  const objectiveSum = results.reduce((sum, r) => sum + r.objectiveSum, 0) / n;
  return { losses, objectiveSum, metaGrad, ...imitation };
}

/** The groups computed here, one after the other, their states kept in memory. */
export function localTruncations(engine: Pick<Engine, 'lstm'>, family: TaskFamily, settings: GroupSettings): TruncationRunner {
  let current: { iteration: number; groups: Array<{ task: Task; state: OptimizeeState }> } | null = null;
  const release = () => {
    for (const { task, state } of current?.groups ?? []) {
      releaseOptimizee(engine, state);
      task.dispose?.();
    }
    current = null;
  };
  return {
    async run(request) {
      if (request.index === 0 || current?.iteration !== request.iteration) {
        release();
        current = { iteration: request.iteration, groups: Array.from({ length: settings.groups ?? 1 }, (_, g) => startGroup(engine, family, settings, request.iteration, g)) };
      }
      return current.groups.map(({ task, state }) => groupTruncation(engine, settings, task, state, request));
    },
    async endIteration() {
      release();
    },
  };
}
