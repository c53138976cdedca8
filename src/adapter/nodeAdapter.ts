/**
 * The tf.Optimizer adapter in Node: learned optimizers compute on the engine `selectEngine`
 * picks (the native kernels where they are built), both when loaded and when a saved layers
 * model is reloaded with its optimizer (the class tf.serialization rebuilds is this one).
 */
import * as tf from '@tensorflow/tfjs';
import type { Engine } from '../engine/engine.ts';
import { selectEngine } from '../engine/select.ts';
import type { OptimizerFile } from '../learned/optimizerFile.ts';
import { L2LOptimizer as BrowserL2LOptimizer, readOptimizerSource, type AdapterSpec, type LearnedOptimizerOptions } from './tfOptimizer.ts';

/** `L2LOptimizer` whose learned optimizers compute on Node's selected engine by default. */
export class L2LOptimizer extends BrowserL2LOptimizer {
  /** The name tf.serialization knows this class by (the same as in the browser). */
  static override className = 'L2LOptimizer';

  /** Wraps the optimizer described by `spec`; a learned one computes on `engine` (default: `selectEngine()`). */
  constructor(spec: AdapterSpec, engine: Pick<Engine, 'lstm'> = selectEngine()) {
    super(spec, engine);
  }
}

tf.serialization.registerClass(L2LOptimizer);

/**
 * Loads a learned optimizer as a `tf.Optimizer` from a file path, a URL or a parsed file
 * object; it computes on `engine` (default: `selectEngine()`, the native kernels where built).
 */
export async function loadLearnedOptimizer(source: string | OptimizerFile, engine: Pick<Engine, 'lstm'> = selectEngine(), options: LearnedOptimizerOptions = {}): Promise<L2LOptimizer> {
  return new L2LOptimizer({ kind: 'learned', file: await readOptimizerSource(source), ...(options.stateFormat ? { stateFormat: options.stateFormat } : {}) }, engine);
}
