/**
 * A worker thread (Node only) with its own TensorFlow.js engine that runs the LSTM on the rows a
 * `shardedLstm` hands it (multi-threaded wasm does not work in Node; one engine per thread does).
 * Requests are messages; the calling thread waits for a reply with `Atomics.wait` and reads it
 * with `receiveMessageOnPort`, so the truncation code stays synchronous and the worker computes
 * while the calling thread does its own rows.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { startWorker } from '../../backend/worker.ts';

/** How long a reply may take: far more than any shard's work on one truncation. */
const REPLY_TIMEOUT_MS = 600_000;

/** A request to the worker: an operation of `LstmKernel` on handles named by number. */
export type LstmRequest =
  | { type: 'weights'; id: number; config: unknown; phi: Float32Array }
  | { type: 'states'; id: number; config: unknown; rows: number; from?: unknown }
  | { type: 'read'; id: number }
  | { type: 'step'; weights: number; states: number; grads: Float32Array; recording?: number; params?: Float32Array }
  | { type: 'record'; id: number; weights: number; states: number; steps: number }
  | { type: 'metaGradient'; recording: number; dUpdates: Float32Array[] }
  | { type: 'release'; ids: number[] };

/** One worker thread running LSTM requests in order; every request gets one reply. */
export class LstmWorker {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly replies: Int32Array;
  private sent = 0;
  private received = 0;

  /** Starts the worker on TensorFlow.js backend `backend` (it initializes in the background). */
  constructor(backend: string) {
    const { port1, port2 } = new MessageChannel();
    const counter = new SharedArrayBuffer(4);
    this.replies = new Int32Array(counter);
    this.worker = startWorker(import.meta.url, 'lstmWorkerMain', { port: port2, counter, backend }, [port2]);
    this.port = port1;
  }

  /** Sends a request; its reply is read by `reply` (or, for errors, by the next `reply`). */
  request(message: LstmRequest): void {
    this.port.postMessage(message);
    this.sent++;
  }

  /** Waits for replies in order until the one carrying `key` (the earlier ones only report errors). */
  reply<T>(key: string): T {
    while (this.received < this.sent) {
      const started = Date.now();
      while (Atomics.load(this.replies, 0) <= this.received) {
        // The worker's own error events cannot arrive while this thread waits: time out instead.
        if (Date.now() - started > REPLY_TIMEOUT_MS) throw new Error(`the LSTM worker thread did not answer within ${REPLY_TIMEOUT_MS / 1000} s (it may have failed to start)`);
        Atomics.wait(this.replies, 0, this.received, 1000);
      }
      let message = receiveMessageOnPort(this.port);
      while (!message) {
        Atomics.wait(this.replies, 0, Atomics.load(this.replies, 0), 1);
        message = receiveMessageOnPort(this.port);
      }
      this.received++;
      const reply = message.message as Record<string, unknown>;
      if (reply.error) throw new Error(`LSTM worker thread failed: ${reply.error}`);
      if (key in reply) return reply[key] as T;
    }
    throw new Error(`no ${key} was requested from the LSTM worker thread`);
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    this.port.close();
    await this.worker.terminate();
  }
}
