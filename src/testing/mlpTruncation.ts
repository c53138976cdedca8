/** Shared test fixture: a truncation start on a small MNIST MLP. */
import { loadMnist } from '../data/mnist.ts';
import type { Engine } from '../engine/engine.ts';
import { initMetaParams, type LstmConfig } from '../learned/lstmConfig.ts';
import { Rng } from '../random/rng.ts';
import { MlpFamily, PAPER_MLP } from '../tasks/mlp.ts';
import { saveOptimizee, startOptimizee, releaseOptimizee } from '../meta/truncation.ts';

/** One 784-hidden-10 network on test images (loss on `engine`), random φ, and the optimizee at step 0, saved. */
export function mlpTruncationStart(engine: Engine, lstm: LstmConfig, hidden: number, batchSize: number, seed: number) {
  const rng = new Rng(seed);
  const task = new MlpFamily({ ...PAPER_MLP, hidden: [hidden], batchSize, split: 'test' }, loadMnist, engine.mlp).sample(rng.child('task'), 1);
  const phi = initMetaParams({ ...lstm, base: null }, rng.child('phi'));
  const state = startOptimizee(engine, lstm, task.init(rng.child('theta')));
  const start = saveOptimizee(engine, state);
  releaseOptimizee(engine, state);
  return { task, phi, start };
}
