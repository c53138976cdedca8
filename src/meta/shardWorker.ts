/**
 * Worker-thread entry of a `WorkerShard`: one TensorFlow.js engine and a local shard (on the
 * native kernel when it is built, as in the main thread).
 * Every request gets one reply on the given port, after which the shared counter is bumped and
 * notified, so the main thread can wait for it synchronously.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { initBackend } from '../backend/backend.ts';
import { createLocalShard, type Shard } from './shard.ts';

const { port, counter, backend } = workerData as { port: MessagePort; counter: SharedArrayBuffer; backend: string };
const replies = new Int32Array(counter);
let shard: Shard;
let ready: Promise<unknown> = initBackend(backend).then(() => (shard = createLocalShard()));

port.on('message', (request: { type: 'begin' | 'forward' | 'finish'; [key: string]: unknown }) => {
  ready = ready.then(() => {
    let reply: Record<string, unknown>;
    try {
      if (request.type === 'begin') {
        shard.begin(request.start as Parameters<Shard['begin']>[0]);
        reply = {};
      } else if (request.type === 'forward') {
        shard.forward(request.grads as Float32Array);
        reply = { updates: shard.updates() };
      } else {
        shard.finish(request.dUpdates as Float32Array[], request.blockRows as number);
        reply = { result: shard.result() };
      }
    } catch (error) {
      reply = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    port.postMessage(reply);
    Atomics.add(replies, 0, 1);
    Atomics.notify(replies, 0);
  });
});
