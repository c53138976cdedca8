/**
 * A worker of distributed meta-training (`l2l worker --redis URL`): takes truncation jobs from
 * the queue and computes them with the same code a single process runs (`meta/groups.ts`): the
 * group's task from the seed, its optimizee state from Redis (or fresh at the horizon's start),
 * φ from Redis; it stores the group's next state and returns the losses and meta-gradient. It
 * first reads the learner's run record and refuses, with one line, a run made by another version
 * of the package or on another engine (its numbers would differ).
 */
import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Engine } from '../engine/engine.ts';
import { UserError } from '../io/userError.ts';
import { groupTeacher, groupTruncation, startGroup } from '../meta/groups.ts';
import { loadOptimizee, releaseOptimizee, saveOptimizee } from '../meta/truncation.ts';
import { familyFromSpec } from '../tasks/familySpec.ts';
import type { TaskFamily } from '../tasks/task.ts';
import { decodeFloats, decodeOptimizee, encodeOptimizee } from './blobs.ts';
import {
  checkRedis,
  connectionOptions,
  CURRENT_RUN_KEY,
  floatsToBase64,
  LOST_STATE,
  KEY_TTL_SECONDS,
  QUEUE_NAME,
  recordKey,
  stateKey,
  type RunRecord,
  type TruncationJob,
  type TruncationReply,
} from './protocol.ts';

/** How a worker runs. */
export interface WorkerOptions {
  /** This package's version, checked against the run's. */
  packageVersion: string;
  /** Milliseconds a job's lock lasts: a worker that dies mid-job loses its job to another after about this long. */
  lockMs?: number;
  /** Called after each job (for a log line). */
  onJob?(job: TruncationJob, computeMs: number): void;
  /** The name jobs record as `processedBy` (default: host:pid). */
  name?: string;
}

/** A running worker; `close` stops it after its current job. */
export interface RunningWorker {
  close(): Promise<void>;
  /** Rejects (with a UserError) when the worker refused a run and stopped taking jobs. */
  refused: Promise<never>;
}

/** Why a worker cannot compute run `record`, or null when it can. */
export function incompatibility(record: RunRecord, packageVersion: string, engine: Engine): string | null {
  if (record.packageVersion !== packageVersion) return `run ${record.id} was started by l2l-ts ${record.packageVersion}, this worker is ${packageVersion}: run the same version on every machine`;
  if (record.engine !== engine.name) return `run ${record.id} computes on the ${record.engine} engine, this worker on ${engine.name}: start it with --kernel ${record.engine}`;
  return null;
}

/**
 * Starts a worker on the Redis at `url` with `engine`. Waits for a learner's run record and
 * checks it (a mismatch is a UserError); a job of a later run is checked the same way.
 */
export async function startTruncationWorker(url: string, engine: Engine, options: WorkerOptions): Promise<RunningWorker> {
  await checkRedis(url);
  const connection = connectionOptions(url);
  const redis = new Redis(connection);
  // Connection errors (Redis restarting) are retried by ioredis and BullMQ; they need no trace.
  redis.on('error', () => {});
  const runs = new Map<string, { record: RunRecord; family: TaskFamily }>();
  const runOf = async (id: string) => {
    let run = runs.get(id);
    if (!run) {
      const text = await redis.get(recordKey(id));
      if (!text) throw new UnrecoverableError(`${LOST_STATE} run ${id} has no record in Redis`);
      const record = JSON.parse(text) as RunRecord;
      const why = incompatibility(record, options.packageVersion, engine);
      if (why) throw new UserError(why);
      run = { record, family: familyFromSpec(record.family, engine.mlp) };
      runs.set(id, run);
    }
    return run;
  };
  // Refuse at once a learner this worker cannot serve.
  const current = await redis.get(CURRENT_RUN_KEY);
  if (current) {
    try {
      await runOf(current);
    } catch (error) {
      redis.disconnect();
      throw error;
    }
  }

  let phiCache: { key: string; phi: Float32Array } | null = null;
  const compute = async (job: Job<TruncationJob, TruncationReply>): Promise<TruncationReply> => {
    const data = job.data;
    const { record, family } = await runOf(data.run);
    const { settings } = record;
    if (phiCache?.key !== data.phiKey) {
      const blob = await redis.getBuffer(data.phiKey);
      if (!blob) throw new UnrecoverableError(`${LOST_STATE} φ of job ${job.id} is missing from Redis`);
      phiCache = { key: data.phiKey, phi: decodeFloats(blob) };
    }
    const started = performance.now();
    const fresh = startGroup(engine, family, settings, data.iteration, data.group);
    let state = fresh.state;
    if (data.index > 0) {
      const blob = await redis.getBuffer(stateKey(data.run, data.iteration, data.group, data.index - 1));
      if (!blob) throw new UnrecoverableError(`${LOST_STATE} the state of job ${job.id}'s group is missing from Redis`);
      releaseOptimizee(engine, fresh.state);
      state = loadOptimizee(engine, settings.lstm, decodeOptimizee(blob), groupTeacher(family, settings, data.iteration, data.group) ?? undefined);
    }
    try {
      const result = groupTruncation(engine, settings, fresh.task, state, { iteration: data.iteration, index: data.index, length: data.length, train: data.train, phi: phiCache.phi });
      await redis.set(stateKey(data.run, data.iteration, data.group, data.index), encodeOptimizee(saveOptimizee(engine, state)), 'EX', KEY_TTL_SECONDS);
      const computeMs = performance.now() - started;
      options.onJob?.(data, computeMs);
      return {
        losses: result.losses,
        objectiveSum: result.objectiveSum,
        metaGrad: result.metaGrad ? floatsToBase64(result.metaGrad) : null,
        ...(result.imitationLoss !== undefined ? { imitationLoss: result.imitationLoss } : {}),
        computeMs,
      };
    } finally {
      releaseOptimizee(engine, state);
      fresh.task.dispose?.();
    }
  };

  let refuse: (error: UserError) => void = () => {};
  const refused = new Promise<never>((_, reject) => (refuse = reject));
  refused.catch(() => {});
  const worker = new Worker<TruncationJob, TruncationReply>(
    QUEUE_NAME,
    async (job) => {
      try {
        return await compute(job);
      } catch (error) {
        // A run this worker cannot serve: stop taking jobs (the job's next attempt goes to another worker).
        if (error instanceof UserError) {
          void worker.close();
          refuse(error);
        }
        throw error;
      }
    },
    { connection, name: options.name ?? `${hostname()}:${process.pid}`, concurrency: 1, lockDuration: options.lockMs ?? 30_000, stalledInterval: Math.max(500, Math.floor((options.lockMs ?? 30_000) / 2)), maxStalledCount: 5 },
  );
  worker.on('error', () => {});
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      redis.disconnect();
    },
    refused,
  };
}
