/**
 * Evaluation on worker threads (Node only): an `UnrollRunner` that hands each unroll job to the
 * next free worker, each with its own TensorFlow.js engine. Jobs are independent and every
 * worker computes exactly what this thread would (same seeds, same kernels), so a comparison
 * gives the same numbers on any number of threads (tested) — only sooner.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../backend/worker.ts';
import { UserError } from '../io/userError.ts';
import type { UnrollResult } from '../meta/unroll.ts';
import { MlpFamily } from '../tasks/mlp.ts';
import { QuadraticFamily } from '../tasks/quadratic.ts';
import type { TaskFamily } from '../tasks/task.ts';
import type { EvalRequest } from './evalWorker.ts';
import { localRunner, type Contender, type UnrollJob, type UnrollRunner } from './unrollJob.ts';

/** One worker thread and its outstanding requests. */
class EvalWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(result: UnrollResult): void; reject(error: Error): void }>();
  private nextId = 0;

  constructor(backend: string) {
    this.worker = startWorker(import.meta.url, 'evalWorker', { backend });
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

/** A pool of `threads` evaluation workers; `close` it when done. */
export class EvalPool implements UnrollRunner {
  private readonly workers: EvalWorker[];

  /** Starts the workers (their backends initialize in the background). */
  constructor(threads: number, backend: string) {
    this.workers = Array.from({ length: threads }, () => new EvalWorker(backend));
  }

  /**
   * Runs the jobs on the workers, in order of submission as workers free up. Jobs whose family
   * or optimizer a worker cannot rebuild (a custom one, without a spec) run in this thread.
   */
  async run(family: TaskFamily, contenders: Contender[], jobs: UnrollJob[]): Promise<UnrollResult[]> {
    const results: UnrollResult[] = new Array(jobs.length);
    const rebuildable = family instanceof MlpFamily || family instanceof QuadraticFamily;
    const remote = jobs.map((job, i) => i).filter((i) => rebuildable && contenders[jobs[i].contender].spec);
    const local = jobs.map((job, i) => i).filter((i) => !remote.includes(i));
    const here = await localRunner.run(family, contenders, local.map((i) => jobs[i]));
    local.forEach((i, k) => (results[i] = here[k]));
    const spec = { name: family.name, config: family.config };
    let next = 0;
    await Promise.all(
      this.workers.map(async (worker) => {
        while (next < remote.length) {
          const i = remote[next++];
          try {
            results[i] = await worker.run({ family: spec, spec: contenders[jobs[i].contender].spec!, job: jobs[i] });
          } catch (error) {
            next = remote.length; // hand out no more jobs
            throw error;
          }
        }
      }),
    );
    return results;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}

/** The runner for `threads` threads: this one alone for 1, else a pool of that many workers. */
export function evalRunner(threads: number, backend: string): UnrollRunner & { close(): Promise<void> } {
  return threads > 1 ? new EvalPool(threads, backend) : { run: localRunner.run, close: async () => {} };
}
