/**
 * Worker-thread entry of an `LstmWorker`: one TensorFlow.js engine whose LSTM kernel runs the
 * requests on handles named by number. Every request gets one reply on the given port, after
 * which the shared counter is bumped and notified, so the calling thread can wait for it
 * synchronously.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { initBackend } from '../../backend/backend.ts';
import type { LstmConfig } from '../../learned/lstmConfig.ts';
import type { LstmStates, LstmWeights, Recording, RowStates } from '../engine.ts';
import { tfjsLstm } from '../tfjs/tfjsLstm.ts';
import type { LstmRequest } from './lstmWorker.ts';

const { port, counter, backend } = workerData as { port: MessagePort; counter: SharedArrayBuffer; backend: string };
const replies = new Int32Array(counter);
const lstm = tfjsLstm();
const handles = new Map<number, LstmWeights | LstmStates | Recording>();
let ready: Promise<unknown> = initBackend(backend);

/** Runs one request; returns the reply. */
function handle(request: LstmRequest): Record<string, unknown> {
  switch (request.type) {
    case 'weights':
      handles.set(request.id, lstm.weights(request.config as LstmConfig, request.phi));
      return {};
    case 'states':
      handles.set(request.id, lstm.states(request.config as LstmConfig, request.rows, request.from as RowStates | undefined));
      return {};
    case 'read':
      return { states: lstm.read(handles.get(request.id) as LstmStates) };
    case 'step': {
      const recording = request.recording === undefined ? undefined : (handles.get(request.recording) as Recording);
      return { updates: lstm.step(handles.get(request.weights) as LstmWeights, handles.get(request.states) as LstmStates, request.grads, recording, request.params) };
    }
    case 'record':
      handles.set(request.id, lstm.record(handles.get(request.weights) as LstmWeights, handles.get(request.states) as LstmStates, request.steps));
      return {};
    case 'metaGradient': {
      const grad = lstm.metaGradient(handles.get(request.recording) as Recording, request.dUpdates);
      handles.delete(request.recording);
      return { grad };
    }
    case 'release':
      for (const id of request.ids) {
        lstm.release(handles.get(id));
        handles.delete(id);
      }
      return {};
  }
}

port.on('message', (request: LstmRequest) => {
  ready = ready.then(() => {
    let reply: Record<string, unknown>;
    try {
      reply = handle(request);
    } catch (error) {
      reply = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    port.postMessage(reply);
    Atomics.add(replies, 0, 1);
    Atomics.notify(replies, 0);
  });
});
