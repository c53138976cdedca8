/**
 * Evaluation on several threads (Node only): an `UnrollRunner` that hands each unroll job to the
 * next free thread — this one or a worker with its own TensorFlow.js engine. Jobs are
 * independent and every worker computes exactly what this thread would (same seeds, same
 * kernels), so a comparison gives the same numbers on any number of threads (tested), sooner.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../backend/worker.ts';
import type { Engine } from '../engine/engine.ts';
import { selectEngine } from '../engine/select.ts';
import { UserError } from '../io/userError.ts';
import type { UnrollResult } from '../unroll/unroll.ts';
import { canRebuild, familySpec } from '../tasks/familySpec.ts';
import type { TaskFamily } from '../tasks/task.ts';
import type { EvalRequest } from './evalWorker.ts';
import { localRunner, type Contender, type UnrollJob, type UnrollRunner } from './unrollJob.ts';

/** One worker thread and its outstanding requests. */
class EvalWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(result: UnrollResult): void; reject(error: Error): void }>();
  private nextId = 0;

  constructor(backend: string, kernel: string) {
    this.worker = startWorker(import.meta.url, 'evalWorker', { backend, kernel });
    this.worker.on('message', (reply: { id: number; result?: UnrollResult; error?: string; userMessage?: string }) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if (reply.userMessage !== undefined) waiting?.reject(new UserError(reply.userMessage));
      else if (reply.error !== undefined) waiting?.reject(new Error(`evaluation worker failed: ${reply.error}`));
      else waiting?.resolve(reply.result!);
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => this.failAll(new Error(`evaluation worker exited with code ${code}`)));
  }

  /** Runs one request on this worker. */
  run(request: Omit<EvalRequest, 'id'>): Promise<UnrollResult> {
    const id = this.nextId++;
    // Keep Node alive while a reply is awaited.
    this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  close(): Promise<number> {
    this.pending.clear();
    return this.worker.terminate();
  }

  private failAll(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}

/**
 * `threads` threads of evaluation: this one and `threads − 1` workers; `close` it when done.
 * Jobs go to whichever thread is free. Every thread computes on an engine of the kind `kernel`
 * names ('native' or 'tfjs'); with workers, this thread's uses one kernel thread too, so that
 * every core has one job.
 */
export class EvalPool implements UnrollRunner {
  private readonly workers: EvalWorker[];
  private readonly engine: Engine;

  /** Starts the workers on TensorFlow.js backend `backend` (they initialize in the background). */
  constructor(threads: number, backend: string, kernel: string) {
    this.workers = Array.from({ length: Math.max(0, threads - 1) }, () => new EvalWorker(backend, kernel));
    this.engine = selectEngine({ kernel, ...(threads > 1 ? { threads: 1 } : {}) });
  }

  /**
   * Runs the jobs, each on the next free thread; results in the order of the jobs. Jobs whose
   * family or optimizer a worker cannot rebuild (a custom one, without a spec) run in this thread.
   */
  async run(family: TaskFamily, contenders: Contender[], jobs: UnrollJob[], onDone?: () => void): Promise<UnrollResult[]> {
    const results: UnrollResult[] = new Array(jobs.length);
    const rebuildable = canRebuild(family);
    const shareable = (i: number) => rebuildable && contenders[jobs[i].contender].spec !== undefined;
    const queue = jobs.map((_, i) => i).filter(shareable);
    const mine = jobs.map((_, i) => i).filter((i) => !shareable(i));
    const spec = familySpec(family);
    let failed = false;
    const local = localRunner(this.engine);
    // Each worker takes the next job as soon as it is free (the first ones right away).
    const working = this.workers.map(async (worker) => {
      while (queue.length && !failed) {
        const i = queue.shift()!;
        try {
          results[i] = await worker.run({ family: spec, spec: contenders[jobs[i].contender].spec!, job: jobs[i] });
          onDone?.();
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    });
    // Meanwhile this thread runs its own jobs, then takes shared ones, letting replies in between.
    try {
      for (let i = mine.shift() ?? queue.shift(); i !== undefined && !failed; i = mine.shift() ?? queue.shift()) {
        [results[i]] = await local.run(family, contenders, [jobs[i]], onDone);
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      await Promise.allSettled(working);
    }
    await Promise.all(working);
    return results;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
