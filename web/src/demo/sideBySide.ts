/**
 * Two (or more) optimizers training the same fresh MNIST network side by side: one task (so the
 * same minibatch at every step), one initialization, an `Unroller` per optimizer. The library
 * code that `l2l compare` runs, driven a step at a time so a page can draw as it trains.
 */
import { type Activation, MlpFamily, type MnistSplit, type Optimizer, PAPER_MLP, Rng, Unroller } from '../../../src/browser.ts';

/** What the demo trains. */
export interface DemoConfig {
  hidden: number[];
  activation: Activation;
  steps: number;
  seed: number;
}

/** The loss of each optimizer at one step. */
export interface StepLosses {
  step: number;
  losses: Record<string, number>;
}

/** One network, several optimizers, in lockstep. */
export class SideBySide {
  /** Minibatch loss of each optimizer after t updates, t = 0, 1, … */
  readonly curves: Record<string, number[]> = {};
  private readonly unrollers: { name: string; unroller: Unroller }[];
  private t = 0;

  /** Draws the network from `config.seed` and starts every contender from the same θ0. */
  constructor(
    readonly config: DemoConfig,
    data: MnistSplit,
    contenders: { name: string; optimizer: Optimizer }[],
  ) {
    const family = new MlpFamily({ ...PAPER_MLP, hidden: config.hidden, activation: config.activation, split: 'test' }, () => data);
    const rng = new Rng(config.seed);
    const task = family.sample(rng.child('task'), 1);
    const theta0 = task.init(rng.child('init'));
    this.unrollers = contenders.map(({ name, optimizer }) => ({ name, unroller: new Unroller(task, optimizer, theta0) }));
    for (const { name } of contenders) this.curves[name] = [];
  }

  /** True once the loss after `config.steps` updates has been recorded. */
  get done(): boolean {
    return this.t > this.config.steps;
  }

  /** Records every optimizer's loss at the current step and, before the last, updates. */
  step(): StepLosses {
    if (this.done) throw new Error('the run is over: reset to start another');
    const update = this.t < this.config.steps;
    const losses: Record<string, number> = {};
    for (const { name, unroller } of this.unrollers) {
      losses[name] = unroller.advance(update)[0];
      this.curves[name].push(losses[name]);
    }
    return { step: this.t++, losses };
  }

  /** Frees every network and optimizer state. */
  dispose(): void {
    for (const { unroller } of this.unrollers) unroller.dispose();
  }
}
