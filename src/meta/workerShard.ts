/**
 * Shards of a truncation on worker threads (Node only): each `WorkerShard` owns a worker with
 * its own TensorFlow.js engine (multi-threaded wasm does not work in Node; one engine per
 * thread does). Requests are messages; the main thread waits for a reply with `Atomics.wait`
 * and reads it with `receiveMessageOnPort`, so the truncation code stays synchronous and the
 * worker computes while the main thread does its own shard.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { startWorker } from '../backend/worker.ts';
import type { Shard, ShardResult, ShardStart } from './shard.ts';

/** How long a reply may take: far more than any shard's work on one truncation. */
const REPLY_TIMEOUT_MS = 600_000;

/** A shard computed on its own worker thread. */
export class WorkerShard implements Shard {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly replies: Int32Array;
  private sent = 0;
  private received = 0;

  /** Starts the worker (its backend initializes in the background). */
  constructor(backend: string) {
    const { port1, port2 } = new MessageChannel();
    const counter = new SharedArrayBuffer(4);
    this.replies = new Int32Array(counter);
    this.worker = startWorker(import.meta.url, 'shardWorker', { port: port2, counter, backend }, [port2]);
    this.port = port1;
  }

  /** Starts a truncation on the worker. */
  begin(start: ShardStart): void {
    this.request({ type: 'begin', start });
  }

  /** Sends the rows' gradients of the next step. */
  forward(grads: Float32Array): void {
    this.request({ type: 'forward', grads });
  }

  /** Waits for the updates of the step sent last. */
  updates(): Float32Array {
    return this.reply('updates') as Float32Array;
  }

  /** Sends ∂S/∂Δt of the rows for every step. */
  finish(dUpdates: Float32Array[], blockRows: number): void {
    this.request({ type: 'finish', dUpdates, blockRows });
  }

  /** Waits for the shard's part of ∂S/∂φ and its final states. */
  result(): ShardResult {
    return this.reply('result') as ShardResult;
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    this.port.close();
    await this.worker.terminate();
  }

  private request(message: Record<string, unknown>): void {
    this.port.postMessage(message);
    this.sent++;
  }

  /** Waits for replies in order until the one carrying `key` (the earlier ones only report errors). */
  private reply(key: string): unknown {
    while (this.received < this.sent) {
      const started = Date.now();
      while (Atomics.load(this.replies, 0) <= this.received) {
        // The worker's own error events cannot arrive while this thread waits: time out instead.
        if (Date.now() - started > REPLY_TIMEOUT_MS) throw new Error(`the worker shard did not answer within ${REPLY_TIMEOUT_MS / 1000} s (it may have failed to start)`);
        Atomics.wait(this.replies, 0, this.received, 1000);
      }
      let message = receiveMessageOnPort(this.port);
      while (!message) {
        Atomics.wait(this.replies, 0, Atomics.load(this.replies, 0), 1);
        message = receiveMessageOnPort(this.port);
      }
      this.received++;
      const reply = message.message as Record<string, unknown>;
      if (reply.error) throw new Error(`worker shard failed: ${reply.error}`);
      if (key in reply) return reply[key];
    }
    throw new Error(`no ${key} was requested from the worker shard`);
  }
}

/** Worker shards for `threads` threads in all (the calling thread is one): `threads − 1` workers. */
export function workerShards(threads: number, backend: string): WorkerShard[] {
  return Array.from({ length: Math.max(0, threads - 1) }, () => new WorkerShard(backend));
}
