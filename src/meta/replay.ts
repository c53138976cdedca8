/**
 * The memory-bounded half of the meta-gradient: back-propagation through the LSTM for one
 * block of coordinate rows at a time. The LSTM treats every coordinate independently given its
 * recorded input gradients, so ∂S/∂φ is a sum over row blocks, each replaying the forward pass
 * for its rows (keeping that block's activations only) and then running BPTT on them. Peak
 * memory is bounded by the block size, whatever the number of coordinates.
 */
import * as tf from '@tensorflow/tfjs';
import {
  accumulateWeightGrads,
  lstmBackward,
  lstmForward,
  type BackwardWeights,
  type LstmStates,
  type StateGrads,
  type StepOutput,
  type StepRecord,
} from '../learned/lstmCell.ts';
import type { LstmConfig, MetaParams } from '../learned/lstmConfig.ts';

/** Everything recorded by a truncation's forward pass, per coordinate row, as plain arrays. */
export interface RecordedTruncation {
  /** Number of coordinate rows. */
  rows: number;
  /** The gradient fed to the LSTM at each step t, [rows]. */
  inputs: Float32Array[];
  /** ∂S/∂Δt for each step t, [rows]: the scaled suffix sums of later gradients. */
  dUpdates: Float32Array[];
  /** The LSTM states at the truncation's start: h, c per layer [rows × units], and m, v [rows]. */
  h: Float32Array[];
  c: Float32Array[];
  m?: Float32Array;
  v?: Float32Array;
  /** Update count at the truncation's start. */
  count: number;
}

/** ∂S/∂φ from a recorded truncation, replaying `blockRows` rows at a time. */
export function replayMetaGradient(
  config: LstmConfig,
  phi: MetaParams,
  weights: BackwardWeights,
  recorded: RecordedTruncation,
  blockRows: number,
): MetaParams {
  let total: MetaParams | undefined;
  for (let a = 0; a < recorded.rows; a += blockRows) {
    const b = Math.min(recorded.rows, a + blockRows);
    const block = tf.tidy(() => blockGradient(config, phi, weights, recorded, a, b));
    if (!total) {
      total = block;
    } else {
      const previous: MetaParams = total;
      total = tf.tidy(() => Object.fromEntries(Object.entries(previous).map(([k, v]) => [k, v.add(block[k])])));
      tf.dispose([...Object.values(previous), ...Object.values(block)]);
    }
  }
  return total!;
}

/** ∂S/∂φ contributed by rows [a, b). */
function blockGradient(config: LstmConfig, phi: MetaParams, weights: BackwardWeights, recorded: RecordedTruncation, a: number, b: number): MetaParams {
  const n = b - a;
  const column = (values: Float32Array) => tf.tensor2d(values.subarray(a, b), [n, 1]);
  let states: LstmStates = {
    h: config.hidden.map((units, l) => tf.tensor2d(recorded.h[l].subarray(a * units, b * units), [n, units])),
    c: config.hidden.map((units, l) => tf.tensor2d(recorded.c[l].subarray(a * units, b * units), [n, units])),
    ...(recorded.m ? { m: column(recorded.m), v: column(recorded.v!) } : {}),
  };
  // Each step in its own scope, so only what the backward pass needs outlives it.
  const outs: StepOutput[] = recorded.inputs.map((input, t) => {
    const out = tf.tidy(() => lstmForward(config, phi, column(input), states, recorded.count + t) as never) as StepOutput;
    states = out.states;
    return out;
  });
  const records: StepRecord[] = [];
  let next: StateGrads | null = null;
  for (let t = outs.length - 1; t >= 0; t--) {
    const after = next;
    const grads = tf.tidy(() => lstmBackward(config, weights, outs[t], column(recorded.dUpdates[t]), after) as never) as ReturnType<typeof lstmBackward>;
    records.push({ caches: outs[t].caches, top: outs[t].top, grads });
    next = grads.states;
  }
  return accumulateWeightGrads(config, records);
}
