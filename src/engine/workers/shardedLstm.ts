/**
 * Worker-thread row splitting for the TensorFlow.js engine (Node only): a decorator of its LSTM
 * kernel that gives contiguous ranges of a big task's coordinate rows to worker threads, each
 * with its own TensorFlow.js engine, while this thread does the first range. Rows are
 * independent given their gradients, so the shards' updates are the whole step's and their
 * meta-gradients (added in shard order, in double precision) the whole one's, up to rounding.
 * On two cores this makes MNIST meta-training on TensorFlow.js about 1.7× faster; the native
 * engine has a thread pool of its own and does not use it.
 */
import type { LstmConfig } from '../../learned/lstmConfig.ts';
import { joinRowStates, rowRange, type Engine, type LstmKernel, type LstmStates, type LstmWeights, type Recording, type RowStates } from '../engine.ts';
import { LstmWorker } from './lstmWorker.ts';

/** Tasks with fewer coordinate rows than this stay in one thread (splitting costs more than it saves). */
export const PARALLEL_MIN_ROWS = 4096;

interface ShardedWeights extends LstmWeights {
  local: LstmWeights;
  id: number;
}

interface ShardedStates extends LstmStates {
  count: number;
  /** Row ranges [a, b): the first is this thread's, the others the workers' in order. */
  bounds: Array<[number, number]>;
  local: LstmStates;
  id: number;
}

interface ShardedRecording extends Recording {
  local: Recording;
  id: number;
  shards: number;
}

/** `parts` contiguous row ranges [a, b) covering `rows`, as equal as possible. */
export function shardBounds(rows: number, parts: number): Array<[number, number]> {
  return Array.from({ length: parts }, (_, k) => [Math.floor((rows * k) / parts), Math.floor((rows * (k + 1)) / parts)]);
}

/**
 * `local`'s LSTM with the rows of tasks of at least `minRows` coordinates split between this
 * thread and `workers`.
 */
export function shardedLstm(local: LstmKernel, workers: LstmWorker[], minRows = PARALLEL_MIN_ROWS): LstmKernel {
  let nextId = 0;
  const remote = (s: ShardedStates) => workers.slice(0, s.bounds.length - 1);
  return {
    weights(config: LstmConfig, phi: Float32Array): LstmWeights {
      const id = nextId++;
      for (const worker of workers) worker.request({ type: 'weights', id, config, phi });
      return { config, local: local.weights(config, phi), id } as ShardedWeights;
    },

    states(config: LstmConfig, rows: number, from?: RowStates): LstmStates {
      const id = nextId++;
      const bounds = shardBounds(rows, rows >= minRows ? workers.length + 1 : 1);
      bounds.slice(1).forEach(([a, b], k) => workers[k].request({ type: 'states', id, config, rows: b - a, from: from ? rowRange(config, from, a, b) : undefined }));
      const [a, b] = bounds[0];
      const mine = from && bounds.length > 1 ? rowRange(config, from, a, b) : from;
      return { config, rows, count: from?.count ?? 0, bounds, local: local.states(config, b - a, mine), id } as ShardedStates;
    },

    read(states: LstmStates): RowStates {
      const s = states as ShardedStates;
      const others = remote(s).map((worker) => (worker.request({ type: 'read', id: s.id }), worker));
      return joinRowStates([local.read(s.local), ...others.map((worker) => worker.reply<RowStates>('states'))]);
    },

    step(weights: LstmWeights, states: LstmStates, grads: Float32Array, recording?: Recording, params?: Float32Array): Float32Array {
      const w = weights as ShardedWeights;
      const s = states as ShardedStates;
      const r = recording as ShardedRecording | undefined;
      // The workers first, so that they work while this thread does.
      s.bounds.slice(1).forEach(([a, b], k) => workers[k].request({ type: 'step', weights: w.id, states: s.id, grads: grads.slice(a, b), recording: r?.id, params: params?.slice(a, b) }));
      const first = s.bounds[0][1];
      const mine = local.step(w.local, s.local, grads.subarray(0, first), r?.local, params?.subarray(0, first));
      s.count++;
      if (s.bounds.length === 1) return mine;
      const updates = new Float32Array(s.rows);
      updates.set(mine);
      remote(s).forEach((worker, k) => updates.set(worker.reply<Float32Array>('updates'), s.bounds[k + 1][0]));
      return updates;
    },

    record(weights: LstmWeights, states: LstmStates, steps: number): Recording {
      const w = weights as ShardedWeights;
      const s = states as ShardedStates;
      const id = nextId++;
      for (const worker of remote(s)) worker.request({ type: 'record', id, weights: w.id, states: s.id, steps });
      return { steps, local: local.record(w.local, s.local, steps), id, shards: s.bounds.length } as ShardedRecording;
    },

    metaGradient(recording: Recording, dUpdates: Float32Array[]): Float32Array {
      const r = recording as ShardedRecording;
      if (r.shards === 1) return local.metaGradient(r.local, dUpdates);
      const bounds = shardBounds(dUpdates[0].length, r.shards);
      bounds.slice(1).forEach(([a, b], k) => workers[k].request({ type: 'metaGradient', recording: r.id, dUpdates: dUpdates.map((d) => d.slice(a, b)) }));
      const parts = [local.metaGradient(r.local, dUpdates.map((d) => d.subarray(0, bounds[0][1])))];
      for (const worker of workers.slice(0, r.shards - 1)) parts.push(worker.reply<Float32Array>('grad'));
      const total = new Float32Array(parts[0].length);
      for (let i = 0; i < total.length; i++) {
        let sum = 0;
        for (const p of parts) sum += p[i];
        total[i] = sum;
      }
      return total;
    },

    release(...handles) {
      for (const h of handles) {
        if (!h) continue;
        const id = (h as unknown as { id: number }).id;
        for (const worker of workers) worker.request({ type: 'release', ids: [id] });
        local.release((h as unknown as { local: LstmWeights | LstmStates | Recording }).local);
      }
    },
  };
}

/**
 * `engine` (TensorFlow.js) with the LSTM rows of tasks of at least `minRows` coordinates split
 * among itself and `extraThreads` worker threads on TensorFlow.js backend `backend`.
 */
export function withWorkerThreads(engine: Engine, extraThreads: number, backend: string, minRows = PARALLEL_MIN_ROWS): Engine {
  if (extraThreads <= 0) return engine;
  const workers = Array.from({ length: extraThreads }, () => new LstmWorker(backend));
  return {
    ...engine,
    threads: engine.threads + extraThreads,
    lstm: shardedLstm(engine.lstm, workers, minRows),
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
      await engine.close();
    },
  };
}
