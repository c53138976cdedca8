/**
 * A mixture of task families: each sample is a task of one component, picked with probability
 * proportional to its weight, with that component's own number of members (128 quadratics, one
 * MNIST network). Meta-training on a mixture is how a general-purpose learned optimizer sees
 * several kinds of optimizee; with `--groups G` each meta-step averages G such samples.
 */
import type { Rng } from '../random/rng.ts';
import type { FamilySpec } from './familySpec.ts';
import type { Task, TaskFamily, TaskSize } from './task.ts';

/** One component of a mixture. */
export interface MixtureComponent {
  /** A short id, e.g. 'mnist-relu'. */
  id: string;
  family: TaskFamily;
  /** Members of each of its tasks (whatever the caller asks for). */
  members: number;
  weight: number;
}

/** The mixture's configuration as files record it: each component's family spec, members and weight. */
export interface MixtureConfig {
  components: Array<{ id: string; family: FamilySpec; members: number; weight: number }>;
}

/** A distribution over the components' task distributions. */
export class MixtureFamily implements TaskFamily {
  readonly name = 'mixture';
  readonly config: Record<string, unknown>;
  private readonly total: number;

  /** A mixture of `components` (at least one, weights positive). */
  constructor(readonly components: MixtureComponent[]) {
    if (components.length === 0) throw new Error('a mixture needs at least one component');
    if (components.some((c) => !(c.weight > 0))) throw new Error('mixture weights must be positive');
    this.total = components.reduce((n, c) => n + c.weight, 0);
    const mixture: MixtureConfig = { components: components.map((c) => ({ id: c.id, family: { name: c.family.name, config: c.family.config }, members: c.members, weight: c.weight })) };
    this.config = { ...mixture };
  }

  /** The component a draw from `rng` picks (its 'component' stream). */
  pick(rng: Rng): MixtureComponent {
    let u = rng.child('component').uniform() * this.total;
    for (const c of this.components) {
      if ((u -= c.weight) < 0) return c;
    }
    return this.components[this.components.length - 1];
  }

  /** A task of a randomly picked component, with the component's members (`members` is not used). */
  sample(rng: Rng, _members: number): Task {
    const c = this.pick(rng);
    return c.family.sample(rng.child(c.id), c.members);
  }

  /** The largest sample of any component. */
  sizeOf(_members: number): TaskSize {
    const sizes = this.components.map((c) => c.family.sizeOf(c.members));
    return { coordinates: Math.max(...sizes.map((s) => s.coordinates)), dataFloats: Math.max(...sizes.map((s) => s.dataFloats)) };
  }

  /** One task at a time. */
  readonly evaluationChunk = 1;
}
