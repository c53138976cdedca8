import * as tf from '@tensorflow/tfjs';
import { initBackend } from './backend/backend.ts';
import { PAPER_LSTM, initMetaParams, metaParamList } from './learned/lstmConfig.ts';
import { lstmOptimizer } from './learned/lstmOptimizer.ts';
import { QuadraticFamily } from './tasks/quadratic.ts';
import { Rng } from './random/rng.ts';
import { unroll } from './meta/unroll.ts';
import { truncatedMetaGradient } from './meta/metaGradient.ts';
await initBackend(process.argv[2]);
const rng = new Rng(1);
const phi = initMetaParams(PAPER_LSTM, rng);
const task = new QuadraticFamily().sample(rng.child('t'), 128);
const th = task.init(rng);
const opt = lstmOptimizer(PAPER_LSTM, phi);
let t0 = performance.now(); unroll(task, opt, th, 100); console.log('unroll 100 (fwd only)', performance.now() - t0);
t0 = performance.now(); unroll(task, opt, th, 100); console.log('unroll 100 (fwd only)', performance.now() - t0);
const st = opt.init(th);
for (let k = 0; k < 2; k++) {
t0 = performance.now(); const r = truncatedMetaGradient(PAPER_LSTM, metaParamList(PAPER_LSTM, phi), task, { params: th, state: st, step: 0 }, 20); console.log('truncation 20', performance.now() - t0);
}

for (let k = 0; k < 3; k++) {
t0 = performance.now(); const r = truncatedMetaGradient(PAPER_LSTM, metaParamList(PAPER_LSTM, phi), task, { params: th, state: st, step: 0 }, 20); console.log('truncation 20', performance.now() - t0);
}
const prof = await tf.profile(() => { truncatedMetaGradient(PAPER_LSTM, metaParamList(PAPER_LSTM, phi), task, { params: th, state: st, step: 0 }, 20); });
const byName = new Map<string, [number, number]>();
for (const k of prof.kernels) { const e = byName.get(k.name) ?? [0, 0]; e[0] += k.kernelTimeMs as number; e[1]++; byName.set(k.name, e); }
console.log([...byName.entries()].sort((a, b) => b[1][0] - a[1][0]).slice(0, 15).map(([n, [t, c]]) => `${n}: ${t.toFixed(1)}ms x${c}`).join('\n'));
