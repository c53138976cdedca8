/**
 * The memory-bounded meta-gradient on TensorFlow.js: back-propagation through the LSTM for one
 * block of coordinate rows at a time. The LSTM treats every coordinate independently given its
 * recorded input gradients, so ∂S/∂φ is a sum over row blocks, each replaying the forward pass
 * for its rows (keeping that block's activations only) and then running BPTT on them. Peak
 * memory is bounded by the block size, whatever the number of coordinates.
 */
import * as tf from '@tensorflow/tfjs';
import type { LstmConfig } from '../../learned/lstmConfig.ts';
import type { RowStates } from '../engine.ts';
import {
  accumulateWeightGrads,
  lstmBackward,
  lstmForward,
  type BackwardWeights,
  type MetaParams,
  type StateGrads,
  type StepOutput,
  type StepRecord,
  type TensorStates,
} from './lstmCell.ts';

/** A truncation as recorded for a replay: where its rows started, and their gradients at each step. */
export interface RecordedTruncation {
  rows: number;
  /** The rows' LSTM states at the truncation's start (count: its first update number). */
  start: RowStates;
  /** The gradient fed to the LSTM at each step t, [rows]. */
  inputs: Float32Array[];
  /** The values θ fed to an LSTM with parameter inputs at each step t, [rows]; empty otherwise. */
  params: Float32Array[];
}

/** ∂S/∂φ (named) for S = Σ_t ⟨update_t, dUpdates[t]⟩, replaying `blockRows` rows at a time. */
export function replayMetaGradient(
  config: LstmConfig,
  phi: MetaParams,
  weights: BackwardWeights,
  recorded: RecordedTruncation,
  dUpdates: Float32Array[],
  blockRows: number,
): MetaParams {
  let total: MetaParams | undefined;
  for (let a = 0; a < recorded.rows; a += blockRows) {
    const b = Math.min(recorded.rows, a + blockRows);
    const block = tf.tidy(() => blockGradient(config, phi, weights, recorded, dUpdates, a, b));
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
function blockGradient(config: LstmConfig, phi: MetaParams, weights: BackwardWeights, recorded: RecordedTruncation, dUpdates: Float32Array[], a: number, b: number): MetaParams {
  const n = b - a;
  const { start } = recorded;
  const column = (values: Float32Array) => tf.tensor2d(values.subarray(a, b), [n, 1]);
  let states: TensorStates = {
    h: config.hidden.map((units, l) => tf.tensor2d(start.h[l].subarray(a * units, b * units), [n, units])),
    c: config.hidden.map((units, l) => tf.tensor2d(start.c[l].subarray(a * units, b * units), [n, units])),
    ...(start.m ? { m: column(start.m), v: column(start.v!) } : {}),
  };
  // Each step in its own scope, so only what the backward pass needs outlives it.
  const outs: StepOutput[] = recorded.inputs.map((input, t) => {
    const theta = config.paramInput ? recorded.params[t] : null;
    const out = tf.tidy(() => lstmForward(config, phi, column(input), states, start.count + t, theta ? column(theta) : undefined) as never) as StepOutput;
    states = out.states;
    return out;
  });
  const records: StepRecord[] = [];
  let next: StateGrads | null = null;
  for (let t = outs.length - 1; t >= 0; t--) {
    const after = next;
    const grads = tf.tidy(() => lstmBackward(config, weights, outs[t], column(dUpdates[t]), after) as never) as ReturnType<typeof lstmBackward>;
    records.push({ caches: outs[t].caches, top: outs[t].top, grads });
    next = grads.states;
  }
  return accumulateWeightGrads(config, records);
}
