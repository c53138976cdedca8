/**
 * Meta-training checkpoints: everything needed to continue a run exactly where it stopped —
 * φ, the meta-optimizer's state, the best φ so far, the collapse count, and the iteration.
 * Random draws need no state of their own: every iteration's draws come from
 * `Rng(seed).child(iteration)`, so the seed and the iteration determine them. A checkpoint is
 * plain JSON (float32 values round-trip exactly through JSON numbers).
 *
 * Version 2 stores flat vectors (φ's `metaParamShapes` order) and the meta-optimizer's typed
 * state; version-1 checkpoints (one list per φ tensor, Adam's moments as tensor slots, the
 * learning-rate multiplier and fault count beside them) still load.
 */
import type { CurriculumState } from './curriculum.ts';
import type { MetaOptimizerState } from './metaOptimizer.ts';

/** The `format` field of checkpoint files. */
export const CHECKPOINT_FORMAT = 'l2l-meta-checkpoint';

/** A meta-training run's state at an iteration boundary, as written (version 2). */
export interface MetaCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: 2;
  /** Iterations completed. */
  iteration: number;
  phi: number[];
  /** The meta-optimizer: non-finite steps skipped so far, Adam's step count and moments. */
  metaOptimizer: { notFinite: number; adam: { count: number; m: number[]; v: number[] } };
  best: { phi: number[]; loss: number | null; iteration: number };
  collapses: number;
  /** With a curriculum: the stage, validations since its best, and every stage so far. */
  curriculum?: CurriculumState;
}

/** The in-memory state a checkpoint is made from and restored to. */
export interface MetaRunState {
  iteration: number;
  phi: Float32Array;
  metaState: MetaOptimizerState;
  best: { phi: Float32Array; loss: number; iteration: number };
  collapses: number;
  curriculum?: CurriculumState;
}

/** Serializes a run's state. */
export function toCheckpoint(state: MetaRunState): MetaCheckpoint {
  const [, adam] = state.metaState.inner;
  return {
    format: CHECKPOINT_FORMAT,
    version: 2,
    iteration: state.iteration,
    phi: Array.from(state.phi),
    metaOptimizer: { notFinite: state.metaState.notFinite, adam: { count: adam.count, m: Array.from(adam.m), v: Array.from(adam.v) } },
    best: { phi: Array.from(state.best.phi), loss: Number.isFinite(state.best.loss) ? state.best.loss : null, iteration: state.best.iteration },
    collapses: state.collapses,
    ...(state.curriculum ? { curriculum: structuredClone(state.curriculum) } : {}),
  };
}

/** A curriculum's state from a checkpoint, checked to be plain and whole. */
function curriculumOf(value: unknown): CurriculumState {
  const c = value as CurriculumState;
  const ok =
    typeof c === 'object' && c !== null && Number.isInteger(c.stage) && Number.isInteger(c.sinceBest) && Array.isArray(c.history) &&
    c.stage >= 0 && c.stage < c.history.length &&
    c.history.every((r) => typeof r === 'object' && r !== null && Number.isInteger(r.horizon) && Number.isInteger(r.validationHorizon) && Number.isInteger(r.startIteration));
  if (!ok) throw new Error('checkpoint has an invalid curriculum state');
  return structuredClone(c);
}

/** A value's finite numbers as a Float32Array of `size`, or an error naming `what`. */
function vector(values: unknown, size: number, what: string): Float32Array {
  if (!Array.isArray(values) || values.length !== size || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new Error(`checkpoint ${what} must hold ${size} finite numbers`);
  }
  return Float32Array.from(values as number[]);
}

/** Lists of numbers (one per φ tensor, version 1) joined into one vector of φ's size. */
function joinedLists(lists: unknown, sizes: number[], what: string): Float32Array {
  if (!Array.isArray(lists) || lists.length !== sizes.length) throw new Error(`checkpoint ${what} has the wrong number of tensors`);
  const out = new Float32Array(sizes.reduce((a, b) => a + b, 0));
  let offset = 0;
  lists.forEach((values, i) => {
    out.set(vector(values, sizes[i], `${what}[${i}]`), offset);
    offset += sizes[i];
  });
  return out;
}

/** A whole number ≥ 0, or an error naming `what`. */
function count(value: unknown, what: string): number {
  if (!Number.isInteger(value) || (value as number) < 0) throw new Error(`checkpoint has an invalid ${what}`);
  return value as number;
}

/**
 * Restores a run's state; `sizes` are the sizes of φ's tensors (`metaParamShapes` order),
 * checked against the file. Reads versions 1 and 2; throws on any mismatch.
 */
export function fromCheckpoint(json: unknown, sizes: number[]): MetaRunState {
  const c = json as Record<string, any>;
  if (typeof c !== 'object' || c === null || c.format !== CHECKPOINT_FORMAT || (c.version !== 1 && c.version !== 2)) {
    throw new Error(`not a version-1 or version-2 meta-training checkpoint (expected "format": "${CHECKPOINT_FORMAT}")`);
  }
  const iteration = count(c.iteration, 'iteration');
  const total = sizes.reduce((a, b) => a + b, 0);
  if (c.version === 1) {
    // Version 1: φ per tensor, Adam's moments as tensor slots; lrMultiplier = ½^(collapses + ⌊faults/3⌋) is derived now.
    const slots = c.metaState?.slots;
    if (typeof slots !== 'object' || slots === null || !slots.m || !slots.v) throw new Error('checkpoint has no meta-optimizer state');
    return {
      iteration,
      phi: joinedLists(c.phi, sizes, 'phi'),
      metaState: {
        notFinite: count(c.faults ?? 0, 'fault count'),
        inner: [{}, { count: count(c.metaState.count, 'meta-optimizer step count'), m: joinedLists(slots.m, sizes, 'metaState.m'), v: joinedLists(slots.v, sizes, 'metaState.v') }, {}],
      },
      best: { phi: joinedLists(c.best?.phi, sizes, 'best.phi'), loss: c.best?.loss ?? Infinity, iteration: count(c.best?.iteration ?? 0, 'best iteration') },
      collapses: count(c.collapses ?? 0, 'collapse count'),
    };
  }
  const meta = c.metaOptimizer;
  if (typeof meta !== 'object' || meta === null || typeof meta.adam !== 'object' || meta.adam === null) throw new Error('checkpoint has no meta-optimizer state');
  return {
    iteration,
    phi: vector(c.phi, total, 'phi'),
    metaState: {
      notFinite: count(meta.notFinite, 'fault count'),
      inner: [{}, { count: count(meta.adam.count, 'meta-optimizer step count'), m: vector(meta.adam.m, total, 'metaOptimizer.adam.m'), v: vector(meta.adam.v, total, 'metaOptimizer.adam.v') }, {}],
    },
    best: { phi: vector(c.best?.phi, total, 'best.phi'), loss: c.best?.loss ?? Infinity, iteration: count(c.best?.iteration ?? 0, 'best iteration') },
    collapses: count(c.collapses, 'collapse count'),
    ...(c.curriculum !== undefined ? { curriculum: curriculumOf(c.curriculum) } : {}),
  };
}
