/**
 * Adam's learning rate for the demo's network, taken from the bundled reproduction, where it
 * was tuned on a grid (`l2l reproduce`): the panel with the same hidden sizes and activation,
 * else the paper's 20-unit sigmoid panel.
 */
import { type Results } from '../../../src/browser.ts';

/** A tuned learning rate and the panel it was tuned on. */
export interface TunedRate {
  learningRate: number;
  tunedOn: string;
}

/** The tuned rate of `optimizer` for `hidden`/`activation` among `panels` (title + results). */
export function tunedLearningRate(panels: { title: string; results: Results }[], optimizer: string, hidden: number[], activation: string): TunedRate {
  const mnist = panels.filter((p) => p.results.task === 'mnist');
  const rateIn = (p: { title: string; results: Results }) => p.results.optimizers.find((o) => o.name === optimizer)?.learningRate ?? null;
  const config = (p: { results: Results }) => p.results.taskConfig as { hidden?: number[]; activation?: string };
  const same = mnist.find((p) => rateIn(p) !== null && String(config(p).hidden) === String(hidden) && config(p).activation === activation);
  const paper = mnist.find((p) => rateIn(p) !== null && String(config(p).hidden) === '20' && config(p).activation === 'sigmoid');
  const chosen = same ?? paper;
  if (!chosen) throw new Error(`no bundled MNIST results tune ${optimizer}`);
  return { learningRate: rateIn(chosen) as number, tunedOn: chosen.title };
}
