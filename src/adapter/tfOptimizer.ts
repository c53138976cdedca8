/**
 * Any optimizer of this project — the learned LSTM or a hand-designed one — as a
 * `tf.Optimizer`, so a TensorFlow.js user can pass it to `model.compile({ optimizer })` or
 * call `optimizer.minimize(...)` on plain variables.
 *
 * State is kept per variable (for the LSTM: a hidden state per coordinate), created lazily on
 * a variable's first update and disposed with the optimizer. The class is registered with
 * tf.serialization, so a layers model saved with it reloads with it.
 */
import * as tf from '@tensorflow/tfjs';

/** A tensor with a name, as tf.Optimizer weights are exchanged. */
type NamedTensor = { name: string; tensor: tf.Tensor };
import { fromOptimizerFile, type OptimizerFile } from '../learned/optimizerFile.ts';
import { lstmOptimizer } from '../learned/lstmOptimizer.ts';
import { disposeState, type OptState, type Optimizer } from '../optimizers/optimizer.ts';
import { HAND_DESIGNED } from '../optimizers/registry.ts';

/** What `getConfig` records: a learned optimizer's whole file, or a hand-designed one's name and rate. */
export type AdapterSpec = { kind: 'learned'; file: OptimizerFile } | { kind: 'hand-designed'; name: string; learningRate: number };

/** A `tf.Optimizer` that applies one of this project's optimizers to TensorFlow.js variables. */
export class L2LOptimizer extends tf.Optimizer {
  /** The name tf.serialization knows this class by. */
  static className = 'L2LOptimizer';
  private readonly optimizer: Optimizer;
  private readonly states = new Map<string, OptState>();
  /** States restored by `setWeights` that no variable has claimed yet, by saved variable name. */
  private readonly pending = new Map<string, OptState>();

  /** Wraps the optimizer described by `spec`. */
  constructor(readonly spec: AdapterSpec) {
    super();
    if (spec.kind === 'learned') {
      const { config, phi } = fromOptimizerFile(spec.file);
      this.optimizer = lstmOptimizer(config, Object.fromEntries(Object.entries(phi).map(([k, v]) => [k, tf.keep(v)])));
    } else {
      const factory = HAND_DESIGNED[spec.name];
      if (!factory) throw new Error(`unknown optimizer '${spec.name}': use one of ${Object.keys(HAND_DESIGNED).join(', ')}`);
      this.optimizer = factory(spec.learningRate);
    }
  }

  /** Applies one update to every variable that has a gradient. */
  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor] as const)
      : Object.entries(variableGradients);
    for (const [name, grad] of entries) {
      if (grad == null) continue;
      const variable = tf.engine().registeredVariables[name];
      if (!variable) throw new Error(`no variable named '${name}'`);
      // State outlives the caller's tidy scopes (tfjs-layers trains inside them): keep it.
      const state = this.states.get(name) ?? this.claimRestored(name, variable) ?? keepState(tf.tidy(() => this.optimizer.init([variable])));
      const next = keepState(
        tf.tidy(() => {
          const { updates, state: nextState } = this.optimizer.update([grad], state, [variable]);
          variable.assign(variable.add(updates[0]));
          return nextState;
        }),
      );
      if (this.states.has(name)) disposeState(state);
      this.states.set(name, next);
    }
    this.incrementIterations();
  }

  /**
   * A restored state for a variable that has none yet: saved under its name, or under its name
   * without the `_N` suffix TensorFlow.js adds when a reloaded model's names are already taken.
   */
  private claimRestored(name: string, variable: tf.Variable): OptState | undefined {
    for (const saved of [name, name.replace(/_\d+$/, '')]) {
      const state = this.pending.get(saved);
      const fits = state && Object.values(state.slots).every(([t]) => t.size === variable.size || t.shape[0] === variable.size);
      if (state && fits) {
        this.pending.delete(saved);
        return state;
      }
    }
    return undefined;
  }

  /** The iteration count and every variable's state tensors, by name. */
  override async getWeights(): Promise<NamedTensor[]> {
    const weights: NamedTensor[] = [await this.saveIterations()];
    for (const [name, state] of [...this.states, ...this.pending]) {
      weights.push({ name: `${name}/count`, tensor: tf.scalar(state.count, 'int32') });
      for (const [slot, tensors] of Object.entries(state.slots)) weights.push({ name: `${name}/${slot}`, tensor: tensors[0] });
    }
    return weights;
  }

  /** Restores what `getWeights` returned. */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    for (const state of [...this.states.values(), ...this.pending.values()]) disposeState(state);
    this.states.clear();
    this.pending.clear();
    // Each variable claims its state on its next update (see claimRestored).
    for (const { name, tensor } of rest) {
      const cut = name.lastIndexOf('/');
      const variable = name.slice(0, cut);
      const slot = name.slice(cut + 1);
      const state = this.pending.get(variable) ?? { count: 0, slots: {} };
      if (slot === 'count') state.count = (await tensor.data())[0];
      else state.slots[slot] = [tf.keep(tensor.clone())];
      this.pending.set(variable, state);
    }
  }

  /** The spec, enough to rebuild this optimizer. */
  getConfig(): tf.serialization.ConfigDict {
    return { spec: this.spec as unknown as tf.serialization.ConfigDictValue };
  }

  /** Rebuilds an optimizer from `getConfig`. */
  static override fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T {
    return new cls(config.spec) as T;
  }

  /** Frees every per-variable state. */
  override dispose(): void {
    for (const state of [...this.states.values(), ...this.pending.values()]) disposeState(state);
    this.states.clear();
    this.pending.clear();
    super.dispose();
  }
}

tf.serialization.registerClass(L2LOptimizer);

/** Marks every tensor of a state as kept, so no enclosing tf.tidy disposes it. */
function keepState(state: OptState): OptState {
  for (const tensors of Object.values(state.slots)) tensors.forEach((t) => tf.keep(t));
  return state;
}

/** A `tf.Optimizer` for a hand-designed optimizer by name ('sgd', 'nag', 'adam', …). */
export function handDesignedTfOptimizer(name: string, learningRate: number): L2LOptimizer {
  return new L2LOptimizer({ kind: 'hand-designed', name, learningRate });
}

/**
 * Loads a learned optimizer as a `tf.Optimizer`: from a parsed file object, a URL (fetched), or
 * in Node a file path.
 */
export async function loadLearnedOptimizer(source: string | OptimizerFile): Promise<L2LOptimizer> {
  let file: unknown = source;
  if (typeof source === 'string') {
    if (/^https?:\/\//.test(source) || typeof window !== 'undefined') {
      const response = await fetch(source);
      if (!response.ok) throw new Error(`could not fetch optimizer '${source}': HTTP ${response.status}`);
      file = await response.json();
    } else {
      // Only reached in Node; the specifier is a variable so that web bundlers leave it alone.
      const nodeFs = 'node:fs/promises';
      const fs = (await import(/* @vite-ignore */ nodeFs)) as typeof import('node:fs/promises');
      file = JSON.parse(await fs.readFile(source, 'utf8'));
    }
  }
  fromOptimizerFile(file); // validates before anything is built
  return new L2LOptimizer({ kind: 'learned', file: file as OptimizerFile });
}
