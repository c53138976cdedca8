/**
 * The compute engine: the one place that decides how the coordinatewise LSTM and the MNIST
 * networks are computed. Types only — no TensorFlow.js, no addon — so that the algorithm
 * (`meta/truncation.ts`, `learned/`, `unroll/`) reads the same whichever engine runs it.
 *
 * Two engines implement it: `native` (the C++ kernels of `native/`, Node only) and `tfjs` (the
 * LSTM's hand-written BPTT on TensorFlow.js: the browser's and the fallback's), optionally with
 * its rows split among worker threads. `engine/select.ts` picks one in Node.
 */
import { hasMoments, type LstmConfig } from '../learned/lstmConfig.ts';
import type { MnistSplit } from '../data/mnistSplit.ts';

/**
 * The LSTM states of a block of coordinate rows as plain arrays: h and c per layer
 * ([rows × units] each), Adam's moments m and v ([rows]) for 'adam' and 'both' inputs, and the number of
 * updates taken so far (`count`, which the moments' bias correction reads).
 */
export interface RowStates {
  count: number;
  h: Float32Array[];
  c: Float32Array[];
  m?: Float32Array;
  v?: Float32Array;
}

/** φ made ready for an engine's steps (`LstmKernel.weights`); engine-owned, freed with `release`. */
export interface LstmWeights {
  readonly config: LstmConfig;
}

/**
 * The LSTM states of `rows` coordinates held by an engine (plain arrays, tensors or worker
 * threads' memory); `count` is the number of updates taken so far. Freed with `release`.
 */
export interface LstmStates {
  readonly config: LstmConfig;
  readonly rows: number;
  readonly count: number;
}

/**
 * What an engine keeps of a truncation's steps for its meta-gradient: their activations, or
 * the starting states and input gradients to replay them — the engine decides. Freed by
 * `metaGradient` (or `release`).
 */
export interface Recording {
  readonly steps: number;
}

/**
 * The coordinatewise LSTM on an engine. Every coordinate is a row; rows are independent given
 * their gradients, which is what lets an engine split them among threads and replay them.
 */
export interface LstmKernel {
  /** The LSTM's part of φ (flat, `lstmParamShapes` order: `lstmParams`) prepared for `step` and `record`. */
  weights(config: LstmConfig, phi: Float32Array): LstmWeights;
  /** States of `rows` coordinates: zeros at count 0, or a copy of `from`. */
  states(config: LstmConfig, rows: number, from?: RowStates): LstmStates;
  /** A copy of the states as plain arrays. */
  read(states: LstmStates): RowStates;
  /**
   * One step of every row at update number `states.count`: returns the rows' updates for their
   * gradients (read, not kept) and advances the states in place. With `recording`, the step is
   * kept for `metaGradient`. `params` are the rows' values θ before the update, which an LSTM
   * with parameter inputs (`LstmConfig.paramInput`) reads and requires; others ignore them.
   */
  step(weights: LstmWeights, states: LstmStates, grads: Float32Array, recording?: Recording, params?: Float32Array): Float32Array;
  /** Starts recording up to `steps` steps of `states` from where they are now. */
  record(weights: LstmWeights, states: LstmStates, steps: number): Recording;
  /**
   * ∂S/∂φ of the LSTM's part of φ (flat, its order) for S = Σ_t ⟨update_t, dUpdates[t]⟩ over the
   * recorded steps; frees the recording. Exact: the same number whether the engine kept the
   * steps or replays them.
   */
  metaGradient(recording: Recording, dUpdates: Float32Array[]): Float32Array;
  /** Frees weights, states or a recording (anything else in JavaScript's heap is collected). */
  release(...handles: Array<LstmWeights | LstmStates | Recording | undefined>): void;
}

/** The MNIST MLP's loss and gradient for one network on one minibatch, on plain arrays. */
export interface MlpKernel {
  /**
   * Mean softmax cross-entropy of the network `params` (W1, b1, W2, b2, …; W row-major
   * [in × out]) with layer sizes `sizes` on images `indices` of `data`; writes its gradient into
   * `grads` (shaped like `params`). `activation` is the hidden layers' (index in `ACTIVATIONS`).
   */
  lossAndGrad(sizes: number[], activation: number, params: Float32Array[], data: MnistSplit, indices: Int32Array, grads: Float32Array[]): number;
}

/** How the LSTM and the tasks' losses are computed in this thread. */
export interface Engine {
  /** 'native' (the C++ kernels) or 'tfjs' (TensorFlow.js); recorded in benchmarks and logs. */
  readonly name: 'native' | 'tfjs';
  /** Threads this engine's work uses (kernel threads, or this thread plus worker threads). */
  readonly threads: number;
  readonly lstm: LstmKernel;
  /** The MNIST networks' loss and gradient on arrays, or null: tasks then use TensorFlow.js. */
  readonly mlp: MlpKernel | null;
  /** Stops what the engine started (worker threads); the engine is not used afterwards. */
  close(): Promise<void>;
}

/** `params` when it holds one value per row; throws otherwise (an LSTM with parameter inputs needs θ). */
export function requireParams(params: Float32Array | undefined, rows: number): Float32Array {
  if (!params) throw new Error('this LSTM reads the parameters θ (paramInput): pass their values with the gradients');
  if (params.length !== rows) throw new Error(`θ has ${params.length} values, the LSTM's states ${rows} rows`);
  return params;
}

/** Zero LSTM states of `rows` rows at update count 0 (h, c per layer; m, v for 'adam' and 'both' inputs). */
export function zeroRowStates(config: LstmConfig, rows: number): RowStates {
  return {
    count: 0,
    h: config.hidden.map((units) => new Float32Array(rows * units)),
    c: config.hidden.map((units) => new Float32Array(rows * units)),
    ...(hasMoments(config) ? { m: new Float32Array(rows), v: new Float32Array(rows) } : {}),
  };
}

/** A copy of `states` whose arrays the caller may change. */
export function copyRowStates(states: RowStates): RowStates {
  return {
    count: states.count,
    h: states.h.map((a) => a.slice()),
    c: states.c.map((a) => a.slice()),
    ...(states.m ? { m: states.m.slice(), v: states.v!.slice() } : {}),
  };
}

/** Rows [a, b) of `states` (copies), for one shard of them. */
export function rowRange(config: LstmConfig, states: RowStates, a: number, b: number): RowStates {
  return {
    count: states.count,
    h: states.h.map((values, l) => values.slice(a * config.hidden[l], b * config.hidden[l])),
    c: states.c.map((values, l) => values.slice(a * config.hidden[l], b * config.hidden[l])),
    ...(states.m ? { m: states.m.slice(a, b), v: states.v!.slice(a, b) } : {}),
  };
}

/** Several blocks of rows (in order) as one: the inverse of `rowRange`. */
export function joinRowStates(parts: RowStates[]): RowStates {
  const join = (arrays: Float32Array[]) => {
    if (arrays.length === 1) return arrays[0];
    const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
    let offset = 0;
    for (const a of arrays) out.set(a, (offset += a.length) - a.length);
    return out;
  };
  const first = parts[0];
  return {
    count: first.count,
    h: first.h.map((_, l) => join(parts.map((p) => p.h[l]))),
    c: first.c.map((_, l) => join(parts.map((p) => p.c[l]))),
    ...(first.m ? { m: join(parts.map((p) => p.m!)), v: join(parts.map((p) => p.v!)) } : {}),
  };
}
