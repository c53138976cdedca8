/**
 * Meta-training checkpoints: everything needed to continue a run exactly where it stopped —
 * φ, the meta-optimizer's state, the best φ so far, the learning-rate multiplier and fault
 * counters, and the iteration. Random draws need no state of their own: every iteration's draws
 * come from `Rng(seed).child(iteration)`, so the seed and the iteration determine them.
 * A checkpoint is plain JSON (float32 values round-trip exactly through JSON numbers).
 */
import * as tf from '@tensorflow/tfjs';
import type { OptState } from '../optimizers/optimizer.ts';

/** The `format` field of checkpoint files. */
export const CHECKPOINT_FORMAT = 'l2l-meta-checkpoint';

/** A meta-training run's state at an iteration boundary. */
export interface MetaCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: 1;
  /** Iterations completed. */
  iteration: number;
  phi: number[][];
  metaState: { count: number; slots: Record<string, number[][]> };
  best: { phi: number[][]; loss: number | null; iteration: number };
  lrMultiplier: number;
  collapses: number;
  faults: number;
}

/** The in-memory state a checkpoint is made from and restored to. */
export interface MetaRunState {
  iteration: number;
  phi: tf.Tensor[];
  metaState: OptState;
  best: { phi: tf.Tensor[]; loss: number; iteration: number };
  lrMultiplier: number;
  collapses: number;
  faults: number;
}

/** Serializes a run's state. */
export function toCheckpoint(state: MetaRunState): MetaCheckpoint {
  const values = (ts: tf.Tensor[]) => ts.map((t) => Array.from(t.dataSync()));
  return {
    format: CHECKPOINT_FORMAT,
    version: 1,
    iteration: state.iteration,
    phi: values(state.phi),
    metaState: { count: state.metaState.count, slots: Object.fromEntries(Object.entries(state.metaState.slots).map(([k, v]) => [k, values(v)])) },
    best: { phi: values(state.best.phi), loss: Number.isFinite(state.best.loss) ? state.best.loss : null, iteration: state.best.iteration },
    lrMultiplier: state.lrMultiplier,
    collapses: state.collapses,
    faults: state.faults,
  };
}

/** Restores a run's state; `shapes` are φ's shapes, checked against the file. Throws on any mismatch. */
export function fromCheckpoint(json: unknown, shapes: number[][]): MetaRunState {
  const c = json as Partial<MetaCheckpoint>;
  if (typeof c !== 'object' || c === null || c.format !== CHECKPOINT_FORMAT || c.version !== 1) {
    throw new Error(`not a version-1 meta-training checkpoint (expected "format": "${CHECKPOINT_FORMAT}")`);
  }
  const tensors = (lists: unknown, what: string): tf.Tensor[] => {
    if (!Array.isArray(lists) || lists.length !== shapes.length) throw new Error(`checkpoint ${what} has the wrong number of tensors`);
    return lists.map((values, i) => {
      const size = shapes[i].reduce((a, b) => a * b, 1);
      if (!Array.isArray(values) || values.length !== size || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        throw new Error(`checkpoint ${what}[${i}] must hold ${size} finite numbers`);
      }
      return tf.tensor(values as number[], shapes[i]);
    });
  };
  if (!Number.isInteger(c.iteration) || c.iteration! < 0) throw new Error('checkpoint has an invalid iteration');
  const slots = c.metaState?.slots;
  if (typeof slots !== 'object' || slots === null) throw new Error('checkpoint has no meta-optimizer state');
  return {
    iteration: c.iteration!,
    phi: tensors(c.phi, 'phi'),
    metaState: { count: Number(c.metaState!.count), slots: Object.fromEntries(Object.entries(slots).map(([k, v]) => [k, tensors(v, `metaState.${k}`)])) },
    best: { phi: tensors(c.best?.phi, 'best.phi'), loss: c.best?.loss ?? Infinity, iteration: Number(c.best?.iteration ?? 0) },
    lrMultiplier: Number(c.lrMultiplier ?? 1),
    collapses: Number(c.collapses ?? 0),
    faults: Number(c.faults ?? 0),
  };
}
