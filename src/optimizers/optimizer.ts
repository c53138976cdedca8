/**
 * One optimizer interface for everything (as optax does): hand-designed and learned optimizers
 * alike are a pair of pure functions over lists of tensors.
 *
 *   state = opt.init(params)
 *   { updates, state } = opt.update(grads, state, params);   θ ← θ + updates
 *
 * `update` never disposes its inputs; callers own (and dispose) old states.
 */
import * as tf from '@tensorflow/tfjs';

/** Per-parameter state tensors by slot name (e.g. `m`, `v`), plus a step counter. */
export type OptState = {
  /** Number of updates applied so far. */
  count: number;
  /** slots[name][i] belongs to parameter i. */
  slots: Record<string, tf.Tensor[]>;
};

/** Updates for each parameter and the next state. */
export type UpdateResult = {
  updates: tf.Tensor[];
  state: OptState;
};

/** An optimizer: maps gradients to parameter updates. */
export interface Optimizer {
  /** Short name used in reports, e.g. 'adam'. */
  readonly name: string;
  /** Hyperparameters, recorded in output files. */
  readonly hyperparams: Record<string, unknown>;
  /** The state before the first update. */
  init(params: tf.Tensor[]): OptState;
  /** Maps gradients to updates (to be added to the parameters). */
  update(grads: tf.Tensor[], state: OptState, params: tf.Tensor[]): UpdateResult;
  /**
   * Optional: the same optimizer on plain arrays, for runs on tasks with `flatLossAndGrad`
   * (`Unroller`), where TensorFlow.js's cost per operation would be much of a step. Starts from
   * the state `init` gives parameters of these sizes (values, one array per parameter tensor).
   */
  arrayStepper?(sizes: number[]): ArrayStepper;
}

/** An optimizer on plain arrays, holding its own state. */
export interface ArrayStepper {
  /** The updates (to be added to the parameters) for these gradients; advances the state. */
  updates(grads: Float32Array[]): Float32Array[];
}

/** A hand-designed optimizer built from its learning rate. */
export type OptimizerFactory = (learningRate: number) => Optimizer;

/**
 * One optimizer step on plain arrays: for update number t = 1, 2, … reads the gradients `g`,
 * advances the slot arrays `s` in place and writes the updates into `out` (`g` and `out` may be
 * float64 scratch arrays, as the meta-optimizer's step uses them).
 */
export type ElementwiseRule = (t: number, g: Float32Array | Float64Array, s: Float32Array[], out: Float32Array | Float64Array) => void;

/**
 * An `ArrayStepper` for an elementwise rule: `slots` arrays per parameter, zeros at first (as
 * `zeroSlots`), and `rule`, which for update number t = 1, 2, … reads one parameter's gradients
 * `g`, advances its slot arrays `s` in place and writes its updates into `out`.
 */
export function elementwiseStepper(sizes: number[], slots: number, rule: ElementwiseRule): ArrayStepper {
  const state = sizes.map((n) => Array.from({ length: slots }, () => new Float32Array(n)));
  let t = 0;
  return {
    updates(grads: Float32Array[]): Float32Array[] {
      t++;
      return grads.map((g, i) => {
        const out = new Float32Array(g.length);
        rule(t, g, state[i], out);
        return out;
      });
    },
  };
}

/** Disposes every tensor in a state. */
export function disposeState(state: OptState): void {
  for (const tensors of Object.values(state.slots)) tf.dispose(tensors);
}

/** A state whose slots are zeros shaped like the parameters. */
export function zeroSlots(params: tf.Tensor[], names: string[]): OptState {
  const slots: Record<string, tf.Tensor[]> = {};
  for (const name of names) slots[name] = params.map((p) => tf.zerosLike(p));
  return { count: 0, slots };
}

/** Applies one update in place of the caller's bookkeeping: returns θ + updates and the new state, disposing the old ones. */
export function step(
  optimizer: Optimizer,
  params: tf.Tensor[],
  grads: tf.Tensor[],
  state: OptState,
): { params: tf.Tensor[]; state: OptState } {
  const result = tf.tidy(() => {
    const { updates, state: next } = optimizer.update(grads, state, params);
    return { params: params.map((p, i) => p.add(updates[i])), state: next };
  });
  tf.dispose(params);
  disposeState(state);
  return result;
}
