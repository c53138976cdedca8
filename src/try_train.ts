import * as tf from '@tensorflow/tfjs';
import { initBackend } from './backend/backend.ts';
import { metaTrain } from './meta/metaTrain.ts';
import { PAPER_LSTM } from './learned/lstmConfig.ts';
import { QuadraticFamily } from './tasks/quadratic.ts';
await initBackend();
const t0 = performance.now();
const r = metaTrain(new QuadraticFamily(), { iterations: +process.argv[2], membersPerTask: 128, horizon: 100, unrollLength: 20, metaLearningRate: +(process.argv[3] ?? 1e-3), validateEvery: 20, validationMembers: 256, clipGradNorm: 0, seed: 1, lstm: PAPER_LSTM }, {
  onIteration: (i) => { if (i.iteration % 10 === 0) console.log('it', i.iteration, i.metaLoss.toFixed(3), i.finalLoss.toFixed(3), i.seconds.toFixed(3), tf.memory().numTensors); },
  onValidation: (v) => console.log('val', v.iteration, v.validationLoss.toFixed(4), v.validationFinalLoss.toFixed(4), v.isBest),
});
console.log('total', (performance.now()-t0)/1000);
