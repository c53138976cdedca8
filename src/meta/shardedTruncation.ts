/**
 * The memory-bounded, parallel form of a truncation's meta-gradient. The coordinate rows are
 * split into contiguous shards (`shard.ts`): the first runs here, the others wherever the caller
 * put them (worker threads in Node). At every step each shard turns its rows' gradients into
 * updates, keeping no activations; at the end each shard replays its rows block by block and
 * back-propagates, and the shards' parts of ∂S/∂φ are added. Same result as the cached path of
 * `metaGradient.ts` (tested), with memory bounded by the block size and the LSTM work divided
 * among the shards.
 */
import * as tf from '@tensorflow/tfjs';
import { metaParamShapes, type LstmConfig } from '../learned/lstmConfig.ts';
import { withBaseState } from '../learned/baseStep.ts';
import { concatArrays } from '../learned/rowKernel.ts';
import { stateFrom, statesOf } from '../learned/lstmOptimizer.ts';
import { meanLossScale, type MetaObjective, type Task } from '../tasks/task.ts';
import type { TruncationResult, TruncationStart } from './metaGradient.ts';
import { joinValues } from './flatParams.ts';
import { optimizeeRun } from './optimizeeRun.ts';
import { createLocalShard, type Shard, type ShardResult } from './shard.ts';

/** Runs one truncation over `1 + remote.length` shards of rows (see the module comment). */
export function shardedTruncation(
  config: LstmConfig,
  phiList: tf.Tensor[],
  task: Task,
  start: TruncationStart,
  unrollLength: number,
  objective: MetaObjective,
  blockRows: number,
  remote: Shard[] = [],
): TruncationResult {
  const sizes = start.params.map((p) => p.size);
  const rows = sizes.reduce((a, b) => a + b, 0);
  // With remote shards every thread is busy already: the local shard's kernel gets one.
  const shards: Shard[] = [remote.length > 0 ? createLocalShard(1) : createLocalShard(), ...remote];
  const bounds = shardBounds(rows, shards.length);
  const units = config.hidden;

  // Start every shard from its rows of the LSTM states.
  const perParam = start.params.map((_, i) => statesOf(config, start.state, i));
  const h = units.map((_, l) => joinValues(perParam.map((s) => s.h[l])));
  const c = units.map((_, l) => joinValues(perParam.map((s) => s.c[l])));
  const m = config.inputs === 'adam' ? joinValues(perParam.map((s) => s.m!)) : undefined;
  const v = config.inputs === 'adam' ? joinValues(perParam.map((s) => s.v!)) : undefined;
  const phi = phiList.map((p) => p.dataSync() as Float32Array);
  // One shard takes the arrays as they are; several take their slices.
  const part = (values: Float32Array, a: number, b: number) => (shards.length === 1 ? values : values.slice(a, b));
  shards.forEach((shard, k) => {
    const [a, b] = bounds[k];
    shard.begin({
      config,
      phi,
      count: start.state.count,
      rows: b - a,
      steps: unrollLength,
      h: h.map((values, l) => part(values, a * units[l], b * units[l])),
      c: c.map((values, l) => part(values, a * units[l], b * units[l])),
      ...(m && v ? { m: part(m, a, b), v: part(v, a, b) } : {}),
    });
  });

  // Forward: the shards turn gradients into updates; the optimizee (and the base step, if any) runs here.
  const run = optimizeeRun(config, task, start, objective);
  const losses: number[] = [];
  const dUpdates: Float32Array[] = [];
  for (let t = 0; t < unrollLength; t++) {
    const grads = run.gradient();
    // Remote shards first, so that they work while the local one does.
    for (let k = shards.length - 1; k >= 0; k--) shards[k].forward(part(grads, bounds[k][0], bounds[k][1]));
    const { loss, metaGrad } = run.advance(() => {
      if (shards.length === 1) return shards[0].updates();
      const updates = new Float32Array(rows);
      shards.forEach((shard, k) => updates.set(shard.updates(), bounds[k][0]));
      return updates;
    });
    losses.push(loss);
    dUpdates.push(metaGrad);
  }
  const { params, baseState } = run.finish();

  // Backward: ∂S/∂Δt = scale · Σ_{s>t} ∇s for every row; each shard replays its rows.
  suffixSums(dUpdates, meanLossScale(task));
  for (let k = shards.length - 1; k >= 0; k--) {
    const [a, b] = bounds[k];
    shards[k].finish(
      dUpdates.map((d) => part(d, a, b)),
      blockRows,
    );
  }
  const results = shards.map((shard) => shard.result());
  const metaGrads = metaParamShapes(config).map(([, shape], j) => tf.tensor(sumOf(results.map((r) => r.metaGrads[j])), shape));
  const state = finalState(config, start.state.count + unrollLength, results, sizes);
  return {
    metaGrads,
    losses,
    next: { params, state: baseState ? withBaseState(state, baseState) : state, step: start.step + unrollLength },
  };
}

/** `parts` contiguous row ranges [a, b) covering `rows`, as equal as possible. */
export function shardBounds(rows: number, parts: number): Array<[number, number]> {
  return Array.from({ length: parts }, (_, k) => [Math.floor((rows * k) / parts), Math.floor((rows * (k + 1)) / parts)]);
}

/** In place: w[t] ← scale · Σ_{s≥t} w[s], i.e. ∂S/∂Δt from the gradients after each step. */
export function suffixSums(w: Float32Array[], scale: number): void {
  const acc = new Float64Array(w[0].length);
  for (let t = w.length - 1; t >= 0; t--) {
    const row = w[t];
    for (let j = 0; j < row.length; j++) {
      acc[j] += row[j];
      row[j] = acc[j] * scale;
    }
  }
}

/** Element-wise sum of equally long arrays (in double precision). */
function sumOf(parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0];
  const out = new Float32Array(parts[0].length);
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (const p of parts) s += p[i];
    out[i] = s;
  }
  return out;
}

/** The optimizer state after the truncation, per parameter tensor, from the shards' final states. */
function finalState(config: LstmConfig, count: number, results: ShardResult[], sizes: number[]) {
  const join = (pick: (r: ShardResult) => Float32Array) => (results.length === 1 ? pick(results[0]) : concatArrays(results.map(pick)));
  const h = config.hidden.map((_, l) => join((r) => r.h[l]));
  const c = config.hidden.map((_, l) => join((r) => r.c[l]));
  const m = config.inputs === 'adam' ? join((r) => r.m!) : undefined;
  const v = config.inputs === 'adam' ? join((r) => r.v!) : undefined;
  let offset = 0;
  const perParam = sizes.map((size) => {
    const [a, b] = [offset, (offset += size)];
    const rowsOf = (values: Float32Array, width: number) => tf.tensor2d(values.subarray(a * width, b * width), [size, width]);
    return {
      h: config.hidden.map((u, l) => rowsOf(h[l], u)),
      c: config.hidden.map((u, l) => rowsOf(c[l], u)),
      ...(m && v ? { m: rowsOf(m, 1), v: rowsOf(v, 1) } : {}),
    };
  });
  return stateFrom(config, count, perParam);
}
