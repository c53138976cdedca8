/**
 * Any optimizer of this project — the learned LSTM or a hand-designed one — as a
 * `tf.Optimizer`, so a TensorFlow.js user can pass it to `model.compile({ optimizer })` or
 * call `optimizer.minimize(...)` on plain variables.
 *
 * Each variable's gradient is read as a flat array, the optimizer's update added to the
 * variable. State is kept per variable (for the LSTM: a hidden state per coordinate, held by
 * the engine), created on a variable's first update and freed by `dispose`. The class is
 * registered with tf.serialization, so a layers model saved with it reloads with it.
 */
import * as tf from '@tensorflow/tfjs';
import type { Engine } from '../engine/engine.ts';
import { tfjsEngine } from '../engine/tfjs/tfjsEngine.ts';
import { learnedOptimizer } from '../learned/learnedOptimizer.ts';
import { fromOptimizerFile, type OptimizerFile } from '../learned/optimizerFile.ts';
import type { Optimizer, SavedState } from '../optimizers/optimizer.ts';
import { HAND_DESIGNED } from '../optimizers/registry.ts';
import { packBfloat16, STATE_FORMATS, unpackBfloat16, type StateFormat } from './stateFormat.ts';

/** A tensor with a name, as tf.Optimizer weights are exchanged. */
type NamedTensor = { name: string; tensor: tf.Tensor };

/**
 * What `getConfig` records: a learned optimizer's whole file (and how its state is saved, see
 * `stateFormat.ts`), or a hand-designed one's name and rate.
 */
export type AdapterSpec = { kind: 'learned'; file: OptimizerFile; stateFormat?: StateFormat } | { kind: 'hand-designed'; name: string; learningRate: number };

/** Options of `loadLearnedOptimizer`. */
export interface LearnedOptimizerOptions {
  /** How `getWeights` (and so a model saved with its optimizer) stores the state: 'float32' (default), 'bfloat16' or 'none'. */
  stateFormat?: StateFormat;
}

/** The name suffix of a state array saved as packed bfloat16 (the first int32 is the array's length). */
const BFLOAT16_SUFFIX = '@bfloat16';

/** A `tf.Optimizer` that applies one of this project's optimizers to TensorFlow.js variables. */
export class L2LOptimizer extends tf.Optimizer {
  /** The name tf.serialization knows this class by. */
  static className = 'L2LOptimizer';
  private readonly optimizer: Optimizer;
  private readonly states = new Map<string, unknown>();
  /** States restored by `setWeights` that no variable has claimed yet, by saved variable name. */
  private readonly pending = new Map<string, SavedState>();

  /** Wraps the optimizer described by `spec`; a learned one computes on `engine` (default: TensorFlow.js). */
  constructor(
    readonly spec: AdapterSpec,
    engine: Pick<Engine, 'lstm'> = tfjsEngine(),
  ) {
    super();
    if (spec.kind === 'learned') {
      if (spec.stateFormat !== undefined && !STATE_FORMATS.includes(spec.stateFormat)) throw new Error(`unknown stateFormat '${spec.stateFormat}': use one of ${STATE_FORMATS.join(', ')}`);
      const { config, phi } = fromOptimizerFile(spec.file);
      this.optimizer = learnedOptimizer(config, phi, engine);
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
      let state = this.states.get(name);
      if (state === undefined) {
        state = this.claimRestored(name, variable) ?? this.optimizer.init(variable.size);
        this.states.set(name, state);
      }
      const params = this.optimizer.readsParams ? (variable.dataSync() as Float32Array) : undefined;
      const updates = this.optimizer.update(grad.dataSync() as Float32Array, state, params);
      tf.tidy(() => variable.assign(variable.add(tf.tensor(updates, variable.shape))));
    }
    this.incrementIterations();
  }

  /**
   * A restored state for a variable that has none yet: saved under its name, or under its name
   * without the `_N` suffix TensorFlow.js adds when a reloaded model's names are already taken.
   */
  private claimRestored(name: string, variable: tf.Variable): unknown {
    for (const saved of [name, name.replace(/_\d+$/, '')]) {
      const state = this.pending.get(saved);
      if (!state) continue;
      try {
        const loaded = this.optimizer.load(state, variable.size);
        this.pending.delete(saved);
        return loaded;
      } catch {
        if (Object.keys(state.arrays).length === 0) {
          // Saved with stateFormat 'none': the variable starts a fresh state.
          this.pending.delete(saved);
          return undefined;
        }
        // Saved for a variable of another size: not this one's.
      }
    }
    return undefined;
  }

  /**
   * The iteration count and every variable's state arrays, by name (`<variable>/<array>`), in
   * the spec's state format: float32, packed bfloat16 (`<variable>/<array>@bfloat16`), or the
   * step counts alone.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    const format = this.spec.kind === 'learned' ? (this.spec.stateFormat ?? 'float32') : 'float32';
    const weights: NamedTensor[] = [await this.saveIterations()];
    const saved: Array<[string, SavedState]> = [...[...this.states].map(([name, state]) => [name, this.optimizer.save(state)] as [string, SavedState]), ...this.pending];
    for (const [name, state] of saved) {
      weights.push({ name: `${name}/count`, tensor: tf.scalar(state.count, 'int32') });
      if (format === 'none') continue;
      for (const [key, values] of Object.entries(state.arrays)) {
        if (format === 'float32') weights.push({ name: `${name}/${key}`, tensor: tf.tensor1d(values) });
        else weights.push({ name: `${name}/${key}${BFLOAT16_SUFFIX}`, tensor: tf.tensor1d(Int32Array.from([values.length, ...packBfloat16(values)]), 'int32') });
      }
    }
    return weights;
  }

  /** Restores what `getWeights` returned. */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    this.release();
    // Each variable claims its state on its next update (see claimRestored).
    for (const { name, tensor } of rest) {
      const cut = name.lastIndexOf('/');
      const variable = name.slice(0, cut);
      const key = name.slice(cut + 1);
      const state = this.pending.get(variable) ?? { count: 0, arrays: {} };
      if (key === 'count') state.count = (await tensor.data())[0];
      else if (key.endsWith(BFLOAT16_SUFFIX)) {
        const packed = Int32Array.from(await tensor.data());
        state.arrays[key.slice(0, -BFLOAT16_SUFFIX.length)] = unpackBfloat16(packed.subarray(1), packed[0]);
      } else state.arrays[key] = Float32Array.from(await tensor.data());
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
    this.release();
    super.dispose();
  }

  private release(): void {
    for (const state of this.states.values()) this.optimizer.dispose(state);
    this.states.clear();
    this.pending.clear();
  }
}

tf.serialization.registerClass(L2LOptimizer);

/** A `tf.Optimizer` for a hand-designed optimizer by name ('sgd', 'nag', 'adam', …). */
export function handDesignedTfOptimizer(name: string, learningRate: number): L2LOptimizer {
  return new L2LOptimizer({ kind: 'hand-designed', name, learningRate });
}

/** Reads an optimizer file: a parsed object as it is, a URL by fetch, or in Node a file path. */
export async function readOptimizerSource(source: string | OptimizerFile): Promise<OptimizerFile> {
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
  return file as OptimizerFile;
}

/**
 * Loads a learned optimizer as a `tf.Optimizer` from a parsed file object, a URL (fetched), or
 * in Node a file path; it computes on `engine` (default: TensorFlow.js; Node's entry point
 * defaults to the native kernels where they are built).
 */
export async function loadLearnedOptimizer(source: string | OptimizerFile, engine: Pick<Engine, 'lstm'> = tfjsEngine(), options: LearnedOptimizerOptions = {}): Promise<L2LOptimizer> {
  return new L2LOptimizer({ kind: 'learned', file: await readOptimizerSource(source), ...(options.stateFormat ? { stateFormat: options.stateFormat } : {}) }, engine);
}
