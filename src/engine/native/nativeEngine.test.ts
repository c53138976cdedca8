import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { hasMoments, initMetaParams, PAPER_LSTM, type LstmConfig } from '../../learned/lstmConfig.ts';
import { Rng } from '../../random/rng.ts';
import { makeTestEngine, NATIVE_SKIP } from '../../testing/engines.ts';
import { assertClose, setupBackend } from '../../testing/setup.ts';
import type { LstmKernel, RowStates } from '../engine.ts';
import { selectEngine } from '../select.ts';
import { tfjsLstm } from '../tfjs/tfjsLstm.ts';
import { ACTIVATION_BUDGET_BYTES } from './nativeEngine.ts';

// The five input modes, a one-layer LSTM of odd size (the kernel's generic, unvectorized path),
// two layers of 40 (its widest vectorized products), the head's magnitude output and parameter
// inputs.
const CONFIGS: Array<[string, LstmConfig]> = [
  ['paper', PAPER_LSTM],
  ["'adam' inputs", { ...PAPER_LSTM, inputs: 'adam' }],
  ["'both' inputs", { ...PAPER_LSTM, inputs: 'both' }],
  ["'adam-log' inputs", { ...PAPER_LSTM, inputs: 'adam-log' }],
  ['raw gradient, one layer of 7', { ...PAPER_LSTM, hidden: [7], preprocessP: null, outputScale: 0.3 }],
  ['two layers of 40', { ...PAPER_LSTM, hidden: [40, 40] }],
  ["a magnitude output, 'adam' inputs", { ...PAPER_LSTM, inputs: 'adam', magnitude: 1 }],
  ["parameter inputs, 'adam' inputs", { ...PAPER_LSTM, inputs: 'adam', paramInput: true }],
  ["parameter inputs, 'both' inputs, raw-sized layer of 7", { ...PAPER_LSTM, hidden: [7], inputs: 'both', paramInput: true }],
];

/** Random states (as mid-horizon), random gradients and ∂S/∂Δ per step. */
function randomTruncation(config: LstmConfig, rows: number, steps: number) {
  const rng = new Rng(5);
  const phi = initMetaParams(config, rng.child('phi'));
  const r = rng.child('data');
  const values = (n: number, std: number) => r.normalArray(n, std);
  const start: RowStates = {
    count: 3,
    h: config.hidden.map((u) => values(rows * u, 0.3)),
    c: config.hidden.map((u) => values(rows * u, 0.3)),
    ...(hasMoments(config) ? { m: values(rows, 0.01), v: values(rows, 0.01).map((x) => x * x) } : {}),
  };
  // Gradients (and values θ) over several orders of magnitude, so both branches of the preprocessing are used.
  const grads = Array.from({ length: steps }, () => values(rows, 1).map((x, i) => x * 10 ** (-(i % 8))));
  const params = Array.from({ length: steps }, () => values(rows, 1).map((x, i) => x * 10 ** (-(i % 7))));
  return { config, phi, rows, start, grads, params, dUpdates: Array.from({ length: steps }, () => values(rows, 1)) };
}

/** The truncation's updates, meta-gradient and final states on `kernel` (the start is not changed). */
function runKernel(kernel: LstmKernel, t: ReturnType<typeof randomTruncation>) {
  const weights = kernel.weights(t.config, t.phi);
  const states = kernel.states(t.config, t.rows, t.start);
  const recording = kernel.record(weights, states, t.grads.length);
  const updates = t.grads.map((g, s) => kernel.step(weights, states, g, recording, t.params[s]));
  const metaGrad = kernel.metaGradient(recording, t.dUpdates);
  const final = kernel.read(states);
  kernel.release(weights, states);
  return { updates, metaGrad, final };
}

describe('native engine', { skip: NATIVE_SKIP }, () => {
  before(setupBackend);

  it('is built where the project requires it (L2L_REQUIRE_NATIVE=1, as in CI)', { skip: process.env.L2L_REQUIRE_NATIVE === '1' ? false : 'L2L_REQUIRE_NATIVE is not set' }, () => {
    assert.equal(selectEngine().name, 'native');
  });

  for (const [label, config] of CONFIGS) {
    it(`gives the TensorFlow.js engine's updates, meta-gradient and final states (${label})`, () => {
      const truncation = randomTruncation(config, 300, 12);
      const reference = runKernel(tfjsLstm(64), truncation);
      const fast = runKernel(makeTestEngine('native').lstm, truncation);
      truncation.grads.forEach((_, t) => assertClose(fast.updates[t], reference.updates[t], { rtol: 1e-4, atol: 1e-6, label: `updates at step ${t}` }));
      const scale = Math.max(...reference.metaGrad.map(Math.abs));
      assertClose(fast.metaGrad, reference.metaGrad, { rtol: 1e-4, atol: 1e-5 * scale, label: 'meta-gradient' });
      config.hidden.forEach((_, l) => {
        assertClose(fast.final.h[l], reference.final.h[l], { rtol: 1e-4, atol: 1e-6, label: `h${l}` });
        assertClose(fast.final.c[l], reference.final.c[l], { rtol: 1e-4, atol: 1e-6, label: `c${l}` });
      });
      assert.equal(fast.final.count, 3 + 12);
      if (hasMoments(config)) assertClose(fast.final.v!, reference.final.v!, { rtol: 1e-5, label: 'v' });
      // The caller's starting states are left as they were.
      assert.deepEqual(truncation.start.h[0], randomTruncation(config, 300, 12).start.h[0]);
    });
  }

  it("keeps the activations when they fit the budget and replays otherwise: the same numbers to the bit, on any number of threads", () => {
    const kind = (recording: unknown) => ((recording as { caches: unknown[] | null }).caches ? 'kept' : 'replayed');
    for (const [label, config] of CONFIGS) {
      // 1,300 rows: three chunks of work, the last one partial. A recording for 6 steps keeps the
      // activations; one announced for more steps than fit the budget keeps inputs and replays.
      const t = randomTruncation(config, 1300, 6);
      const tooMany = Math.ceil(ACTIVATION_BUDGET_BYTES / (1300 * 4)) + 1;
      const run = (threads: number, announced: number) => {
        const k = makeTestEngine('native', threads).lstm;
        const weights = k.weights(config, t.phi);
        const states = k.states(config, t.rows, t.start);
        const recording = k.record(weights, states, announced);
        const updates = t.grads.map((g, s) => k.step(weights, states, g, recording, t.params[s]));
        return { kind: kind(recording), updates, metaGrad: k.metaGradient(recording, t.dUpdates), final: k.read(states) };
      };
      const kept = run(1, 6);
      assert.equal(kept.kind, 'kept', label);
      for (const [threads, announced] of [[3, 6], [1, tooMany], [3, tooMany]]) {
        const other = run(threads, announced);
        assert.equal(other.kind, announced === 6 ? 'kept' : 'replayed', label);
        assert.deepEqual({ ...other, kind: 'kept' }, kept, `${label}: ${other.kind}, ${threads} threads`);
      }
    }
  });

  it('L2L_KERNEL chooses the engine, and an unknown name is an error that lists the choices', () => {
    assert.equal(selectEngine({ kernel: 'tfjs' }).name, 'tfjs');
    assert.throws(() => selectEngine({ kernel: 'gpu' }), /unknown kernel 'gpu' \(L2L_KERNEL or --kernel\): use one of native, tfjs/);
    const before = process.env.L2L_KERNEL;
    try {
      process.env.L2L_KERNEL = 'tfjs';
      assert.equal(selectEngine().name, 'tfjs');
      delete process.env.L2L_KERNEL;
      assert.equal(selectEngine().name, 'native');
    } finally {
      if (before === undefined) delete process.env.L2L_KERNEL;
      else process.env.L2L_KERNEL = before;
    }
  });

  it("L2L_KERNEL_THREADS sets the main thread's kernel threads, and a bad value is an error", () => {
    const before = process.env.L2L_KERNEL_THREADS;
    try {
      process.env.L2L_KERNEL_THREADS = '3';
      assert.equal(selectEngine().threads, 3);
      assert.equal(selectEngine({ threads: 1 }).threads, 1);
      process.env.L2L_KERNEL_THREADS = '0';
      assert.throws(() => selectEngine(), /L2L_KERNEL_THREADS must be a whole number of at least 1, got '0'/);
    } finally {
      if (before === undefined) delete process.env.L2L_KERNEL_THREADS;
      else process.env.L2L_KERNEL_THREADS = before;
    }
  });
});
