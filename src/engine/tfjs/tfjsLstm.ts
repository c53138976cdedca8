/**
 * The coordinatewise LSTM on TensorFlow.js (`lstmCell.ts`): the browser's engine and the
 * fallback where the native kernels are not built. States stay in tensors from step to step;
 * a recording keeps the rows' starting states and input gradients (and values θ), and the meta-gradient
 * replays them in blocks of rows (`replay.ts`), so memory is bounded whatever the model size.
 */
import * as tf from '@tensorflow/tfjs';
import { hasMoments, type LstmConfig } from '../../learned/lstmConfig.ts';
import { requireParams, type LstmKernel, type LstmStates, type LstmWeights, type Recording, type RowStates } from '../engine.ts';
import { backwardWeights, flatMetaParams, lstmForward, metaParamTensors, type BackwardWeights, type MetaParams, type TensorStates } from './lstmCell.ts';
import { replayMetaGradient, type RecordedTruncation } from './replay.ts';

/** Rows replayed at a time by default: a 20-step truncation of the paper's LSTM keeps ~25 MB of their activations. */
export const DEFAULT_REPLAY_ROWS = 1024;

interface TfjsWeights extends LstmWeights {
  phi: MetaParams;
  backward?: BackwardWeights;
}

interface TfjsStates extends LstmStates {
  count: number;
  tensors: TensorStates;
}

interface TfjsRecording extends Recording, RecordedTruncation {
  weights: TfjsWeights;
}

/** The tensors of a set of states. */
function stateTensors(s: TensorStates): tf.Tensor[] {
  return [...s.h, ...s.c, ...(s.m ? [s.m, s.v!] : [])];
}

/**
 * Marks tensors the engine holds between calls as kept, so that a caller's enclosing `tf.tidy`
 * (tfjs-layers trains inside them) does not free them; `release` frees them.
 */
function keep<T extends tf.Tensor[] | Record<string, tf.Tensor>>(tensors: T): T {
  for (const t of Object.values(tensors)) tf.keep(t);
  return tensors;
}

/** The LSTM on TensorFlow.js's current backend; the meta-gradient replays `replayRows` rows at a time. */
export function tfjsLstm(replayRows = DEFAULT_REPLAY_ROWS): LstmKernel {
  const read = (s: LstmStates): RowStates => {
    const { tensors, count } = s as TfjsStates;
    const values = (t: tf.Tensor) => (t.dataSync() as Float32Array).slice();
    return { count, h: tensors.h.map(values), c: tensors.c.map(values), ...(tensors.m ? { m: values(tensors.m), v: values(tensors.v!) } : {}) };
  };
  return {
    weights(config: LstmConfig, phi: Float32Array): LstmWeights {
      return { config, phi: keep(metaParamTensors(config, phi)) } as TfjsWeights;
    },

    states(config: LstmConfig, rows: number, from?: RowStates): LstmStates {
      const block = (values: Float32Array | undefined, width: number) => (values ? tf.tensor2d(values, [rows, width]) : tf.zeros([rows, width])) as tf.Tensor2D;
      const tensors: TensorStates = {
        h: config.hidden.map((units, l) => block(from?.h[l], units)),
        c: config.hidden.map((units, l) => block(from?.c[l], units)),
        ...(hasMoments(config) ? { m: block(from?.m, 1), v: block(from?.v, 1) } : {}),
      };
      keep(stateTensors(tensors));
      return { config, rows, count: from?.count ?? 0, tensors } as TfjsStates;
    },

    read,

    step(weights: LstmWeights, states: LstmStates, grads: Float32Array, recording?: Recording, params?: Float32Array): Float32Array {
      const w = weights as TfjsWeights;
      const s = states as TfjsStates;
      const theta = w.config.paramInput ? requireParams(params, s.rows) : null;
      const out = tf.tidy(() => {
        const o = lstmForward(w.config, w.phi, tf.tensor2d(grads, [s.rows, 1]), s.tensors, s.count, theta ? tf.tensor2d(theta, [s.rows, 1]) : undefined);
        return { update: o.update, states: o.states } as never;
      }) as { update: tf.Tensor2D; states: TensorStates };
      const updates = (out.update.dataSync() as Float32Array).slice();
      out.update.dispose();
      tf.dispose(stateTensors(s.tensors));
      s.tensors = out.states;
      keep(stateTensors(s.tensors));
      s.count++;
      if (recording) {
        (recording as TfjsRecording).inputs.push(grads.slice());
        if (theta) (recording as TfjsRecording).params.push(theta.slice());
      }
      return updates;
    },

    record(weights: LstmWeights, states: LstmStates, steps: number): Recording {
      return { steps, weights: weights as TfjsWeights, rows: states.rows, start: read(states), inputs: [], params: [] } as TfjsRecording;
    },

    metaGradient(recording: Recording, dUpdates: Float32Array[]): Float32Array {
      const r = recording as TfjsRecording;
      const { config, phi } = r.weights;
      if (!r.weights.backward) {
        r.weights.backward = backwardWeights(config, phi);
        keep(backwardTensors(r.weights.backward));
      }
      const named = replayMetaGradient(config, phi, r.weights.backward, r, dUpdates, replayRows);
      const flat = flatMetaParams(config, named);
      tf.dispose(Object.values(named));
      r.inputs = [];
      r.params = [];
      return flat;
    },

    release(...handles) {
      for (const h of handles) {
        if (!h) continue;
        if ('tensors' in h) tf.dispose(stateTensors((h as TfjsStates).tensors));
        else if ('phi' in h) tf.dispose([...Object.values((h as TfjsWeights).phi), ...backwardTensors((h as TfjsWeights).backward)]);
        else if ('inputs' in h) Object.assign(h, { inputs: [], params: [] });
      }
    },
  };
}

function backwardTensors(b: BackwardWeights | undefined): tf.Tensor[] {
  return b ? [...b.wxT, ...b.whT, b.headT] : [];
}
