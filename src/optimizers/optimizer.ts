/**
 * One optimizer interface for everything (as optax does): hand-designed and learned optimizers
 * alike map the gradient of every coordinate to its update, on flat arrays — all parameter
 * tensors' values one after another, the form tasks, unrolls, meta-training and the
 * tf.Optimizer adapter share.
 *
 *   state = opt.init(n)
 *   updates = opt.update(grads, state, θ);   θ ← θ + updates   (state advances in place)
 *
 * θ (the coordinates' values before the update) is read only by optimizers that say so
 * (`readsParams`: a learned optimizer with parameter inputs); callers that have it pass it.
 *
 * A state can be saved as named arrays and loaded back (`save`, `load`), e.g. with a model.
 */

/** An optimizer state as named flat arrays and the number of updates taken. */
export interface SavedState {
  count: number;
  arrays: Record<string, Float32Array>;
}

/** An optimizer: maps gradients to parameter updates. */
export interface Optimizer<S = unknown> {
  /** Short name used in reports, e.g. 'adam'. */
  readonly name: string;
  /** Hyperparameters, recorded in output files. */
  readonly hyperparams: Record<string, unknown>;
  /** Whether `update` reads θ (and needs it): absent or false for every hand-designed optimizer. */
  readonly readsParams?: boolean;
  /** The state before the first update of `size` coordinates. */
  init(size: number): S;
  /** The updates (to be added to the parameters) for `grads` at the values `params`; advances `state` in place. */
  update(grads: Float32Array, state: S, params?: Float32Array): Float32Array;
  /** The state as named arrays (copies). */
  save(state: S): SavedState;
  /** A state from `save`'s arrays for `size` coordinates; throws when they do not fit. */
  load(saved: SavedState, size: number): S;
  /** Frees what a state holds outside JavaScript's heap (an engine's tensors), if anything. */
  dispose(state: S): void;
}

/** A hand-designed optimizer built from its learning rate. */
export type OptimizerFactory = (learningRate: number) => Optimizer;

/**
 * One optimizer step on plain arrays: for update number t = 1, 2, … reads the gradients `g`,
 * advances the slot arrays `s` in place and writes the updates into `out` (`g` and `out` may be
 * float64 scratch arrays).
 */
export type ElementwiseRule = (t: number, g: Float32Array | Float64Array, s: Float32Array[], out: Float32Array | Float64Array) => void;

/** The state of an elementwise optimizer: its slots (one value per coordinate each) and the update count. */
export interface ElementwiseState {
  count: number;
  slots: Float32Array[];
}

/**
 * An optimizer applying `rule` to every coordinate, with slot arrays named `slots` (zeros at
 * first), e.g. Adam's ['m', 'v'].
 */
export function elementwiseOptimizer(name: string, hyperparams: Record<string, unknown>, slots: string[], rule: ElementwiseRule): Optimizer<ElementwiseState> {
  return {
    name,
    hyperparams,
    init: (size) => ({ count: 0, slots: slots.map(() => new Float32Array(size)) }),
    update(grads, state) {
      const out = new Float32Array(grads.length);
      rule(++state.count, grads, state.slots, out);
      return out;
    },
    save: (state) => ({ count: state.count, arrays: Object.fromEntries(slots.map((slot, i) => [slot, state.slots[i].slice()])) }),
    load(saved, size) {
      return { count: saved.count, slots: slots.map((slot) => savedArray(saved, slot, size, name)) };
    },
    dispose: () => {},
  };
}

/** Array `key` of a saved state, checked to hold `size` values (a copy). */
export function savedArray(saved: SavedState, key: string, size: number, owner: string): Float32Array {
  const values = saved.arrays[key];
  if (!(values instanceof Float32Array) || values.length !== size) {
    throw new Error(`saved ${owner} state: '${key}' must hold ${size} values, got ${values instanceof Float32Array ? values.length : 'none'}`);
  }
  return values.slice();
}

/** θ + updates, in place. */
export function applyUpdates(theta: Float32Array, updates: Float32Array): void {
  for (let j = 0; j < theta.length; j++) theta[j] += updates[j];
}
