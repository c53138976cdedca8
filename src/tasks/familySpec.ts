/**
 * A task family as plain data — its name and configuration, as every output file records it —
 * and back (Node only: the images come from disk), so that worker threads and worker processes can
 * rebuild the family another thread or machine uses.
 */
import { datasetSource, type DatasetName } from '../data/mnist.ts';
import type { MlpKernel } from '../engine/engine.ts';
import { ConvnetFamily, type ConvnetConfig } from './convnet.ts';
import { MlpFamily, type MlpConfig } from './mlp.ts';
import { MixtureFamily, type MixtureConfig } from './mixture.ts';
import { QuadraticFamily, type QuadraticConfig } from './quadratic.ts';
import { RnnFamily, type RnnConfig } from './rnn.ts';
import type { TaskFamily } from './task.ts';

/** A family's name and configuration. */
export interface FamilySpec {
  name: string;
  config: Record<string, unknown>;
}

/** The spec of `family`. */
export function familySpec(family: TaskFamily): FamilySpec {
  return { name: family.name, config: family.config };
}

/** Whether `familyFromSpec` can rebuild `family`. */
export function canRebuild(family: TaskFamily): boolean {
  if (family instanceof MixtureFamily) return family.components.every((c) => canRebuild(c.family));
  return family instanceof MlpFamily || family instanceof QuadraticFamily || family instanceof ConvnetFamily || family instanceof RnnFamily;
}

/** The family a spec describes, MNIST networks computed with `mlp` when given; throws for a family it cannot build. */
export function familyFromSpec(spec: FamilySpec, mlp: MlpKernel | null): TaskFamily {
  if (spec.name === 'quadratic') return new QuadraticFamily(spec.config as unknown as QuadraticConfig);
  if (spec.name === 'mnist') {
    const config = spec.config as unknown as MlpConfig;
    return new MlpFamily(config, datasetSource(config.dataset ?? 'mnist'), mlp);
  }
  if (spec.name === 'mixture') {
    const { components } = spec.config as unknown as MixtureConfig;
    return new MixtureFamily(components.map((c) => ({ id: c.id, family: familyFromSpec(c.family, mlp), members: c.members, weight: c.weight })));
  }
  if (spec.name === 'convnet') return new ConvnetFamily(spec.config as unknown as ConvnetConfig, datasetSource((spec.config.dataset as DatasetName) ?? 'mnist'));
  if (spec.name === 'rnn') return new RnnFamily(spec.config as unknown as RnnConfig);
  throw new Error(`cannot rebuild task family '${spec.name}' elsewhere`);
}
