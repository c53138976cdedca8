/**
 * Tuned teachers for imitation: for a task family — or each component of a mixture — the
 * hand-designed optimizer and learning rate with the lowest final mean loss over the training
 * horizon, tuned on the grid on training optimizees exactly as `compare` tunes its baselines.
 * Imitating each component's best tuned baseline (`train --imitate tuned`) teaches one LSTM
 * several step sizes and rules, which it must tell apart from the gradients alone.
 */
import { DEFAULT_LR_GRID, tuneLearningRate } from '../eval/tune.ts';
import { HAND_DESIGNED } from '../optimizers/registry.ts';
import { Rng } from '../random/rng.ts';
import { MixtureFamily } from '../tasks/mixture.ts';
import type { TaskFamily } from '../tasks/task.ts';
import type { Teacher } from './groups.ts';

/** The optimizers a tuned teacher is chosen from. */
export const TEACHER_CANDIDATES = ['nag', 'adam', 'rmsprop'] as const;

/** A family's best tuned teacher, with every candidate's final loss at its best rate. */
export interface TunedTeacher extends Teacher {
  finalLoss: number;
}

/**
 * The best of `TEACHER_CANDIDATES` on `family` after `steps` steps, each at its best rate on
 * the grid, over `members` optimizees drawn from `seed` (stream 'tuning').
 */
export function tuneTeacher(family: TaskFamily, steps: number, members: number, seed: number): TunedTeacher {
  let best: TunedTeacher | undefined;
  for (const name of TEACHER_CANDIDATES) {
    const tuning = tuneLearningRate(family, HAND_DESIGNED[name], { grid: DEFAULT_LR_GRID, steps, members, seed });
    const finalLoss = Math.min(...tuning.finalLoss);
    if (!best || finalLoss < best.finalLoss) best = { optimizer: name, learningRate: tuning.best, finalLoss };
  }
  return best!;
}

/**
 * Each mixture component's tuned teacher (by component id), or the family's own under the key
 * '' (with `members` per task): on `max(members, 4)` training optimizees, over `steps` steps.
 */
export function tuneTeachers(family: TaskFamily, steps: number, seed: number, members: number, onTeacher: (id: string, teacher: TunedTeacher) => void = () => {}): Record<string, TunedTeacher> {
  const components = family instanceof MixtureFamily ? family.components : [{ id: '', family, members }];
  const teachers: Record<string, TunedTeacher> = {};
  for (const c of components) {
    teachers[c.id] = tuneTeacher(c.family, steps, Math.max(c.members, 4), new Rng(seed).child(`teacher-${c.id}`).int(2 ** 31));
    onTeacher(c.id, teachers[c.id]);
  }
  return teachers;
}
