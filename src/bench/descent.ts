/**
 * `npm run descent-check -- [FILE | nag-base] [steps]`: on a few MNIST training networks, is a
 * small step against the paper's meta-gradient (gradients held constant) a descent direction of
 * the true unrolled meta-loss (Σ log l over the horizon)? Prints |g|, and for each ε the true
 * change beside the first-order prediction −ε·|g|. FILE is an optimizer file (default:
 * pretrained/mnist-log-objective.json, the log-objective LSTM alone); `nag-base` is a fresh LSTM with a NAG (lr 1) base step, i.e. NAG itself.
 */
import { initBackend } from '../backend/backend.ts';
import { loadMnist } from '../data/mnist.ts';
import { selectEngine } from '../engine/select.ts';
import { loadOptimizer } from '../io/optimizerStore.ts';
import { initMetaParams, PAPER_LSTM, type LstmConfig } from '../learned/lstmConfig.ts';
import { descentCheck } from '../meta/descentCheck.ts';
import { Rng } from '../random/rng.ts';
import { MlpFamily, PAPER_MLP } from '../tasks/mlp.ts';

const [which = 'pretrained/mnist-log-objective.json', stepsArg = '100'] = process.argv.slice(2);
const steps = Number(stepsArg);
await initBackend();
const engine = selectEngine();
let config: LstmConfig;
let phi: Float32Array;
if (which === 'nag-base') {
  config = { ...PAPER_LSTM, base: { optimizer: 'nag', learningRate: 1 } };
  phi = initMetaParams(config, new Rng(1));
} else {
  ({ config, phi } = loadOptimizer(which));
}
const family = new MlpFamily(PAPER_MLP, loadMnist, engine.mlp);
process.stdout.write(`${which}, ${steps} steps, meta-loss Σ log l; change of the true meta-loss (first-order prediction)\n`);
for (const seed of [11, 12, 13]) {
  const task = family.sample(new Rng(seed), 1);
  const theta0 = task.init(new Rng(seed + 100));
  const { gradNorm, probes } = descentCheck(engine, config, phi, task, theta0, steps, 'log', [1e-3, 3e-3, 1e-2]);
  const cells = probes.map((p) => `ε ${p.epsilon}: ${p.change >= 0 ? '+' : ''}${p.change.toFixed(3)} (${p.predicted.toFixed(3)})`);
  process.stdout.write(`network ${seed}: |g| ${gradNorm.toFixed(1)}; ${cells.join('; ')}\n`);
  task.dispose();
}
