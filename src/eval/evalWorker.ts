/**
 * Worker-thread entry of an `EvalPool`: its own TensorFlow.js backend and engine (of the kind
 * the pool's thread uses, on one thread) that run unroll jobs (`unrollJob.ts`) for the family
 * and optimizer each request describes, and reply with the loss curves.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../backend/backend.ts';
import type { Engine } from '../engine/engine.ts';
import { selectEngine } from '../engine/select.ts';
import { UserError } from '../io/userError.ts';
import { familyFromSpec, type FamilySpec } from '../tasks/familySpec.ts';
import type { TaskFamily } from '../tasks/task.ts';
import { optimizerFromSpec, runUnrollJob, type OptimizerSpec, type UnrollJob } from './unrollJob.ts';

/** A request: the family by name and config, the optimizer by spec, and the job. */
export interface EvalRequest {
  id: number;
  family: FamilySpec;
  spec: OptimizerSpec;
  job: UnrollJob;
}

const families = new Map<string, TaskFamily>();

/** The family a request names (built once per worker). */
function familyOf(spec: EvalRequest['family']): TaskFamily {
  const key = JSON.stringify(spec);
  let family = families.get(key);
  if (!family) {
    family = familyFromSpec(spec, engine.mlp);
    families.set(key, family);
  }
  return family;
}

const { backend, kernel } = workerData as { backend: string; kernel: string };
let engine: Engine;
let queue: Promise<unknown> = initBackend(backend).then(() => (engine = selectEngine({ kernel, threads: 1 })));
parentPort!.on('message', (request: EvalRequest) => {
  queue = queue.then(() => {
    try {
      const result = runUnrollJob(familyOf(request.family), optimizerFromSpec(request.spec, engine, request.job.learningRate), request.job);
      parentPort!.postMessage({ id: request.id, result });
    } catch (error) {
      // A user's mistake (e.g. missing MNIST files) keeps its one-line message.
      const userMessage = error instanceof UserError ? error.message : undefined;
      parentPort!.postMessage({ id: request.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error), userMessage });
    }
  });
});
