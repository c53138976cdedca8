/**
 * Use the pretrained learned optimizer on a loss of your own with `minimize`: here a small
 * least-squares fit y ≈ a·x + b on plain tf.Variables.
 *
 *   npx tsx examples/minimize.ts
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, loadLearnedOptimizer, pretrainedOptimizerPath } from '../src/index.ts';

await initBackend();
const xs = tf.linspace(-1, 1, 50);
const ys = xs.mul(3).add(0.5);
const a = tf.variable(tf.scalar(0));
const b = tf.variable(tf.scalar(0));
const loss = () => a.mul(xs).add(b).sub(ys).square().mean() as tf.Scalar;

const optimizer = await loadLearnedOptimizer(pretrainedOptimizerPath('quadratic'));
const before = loss().dataSync()[0];
for (let step = 0; step < 100; step++) optimizer.minimize(loss);
console.log(JSON.stringify({ before, after: loss().dataSync()[0], a: a.dataSync()[0], b: b.dataSync()[0] }));
