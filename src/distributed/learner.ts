/**
 * The learner's side of distributed meta-training (BullMQ on Redis): a `TruncationRunner` that
 * puts each meta-step's φ in Redis and one job per group in the queue, and waits for the
 * workers' results, which it returns in group order — so the meta-step is the same whichever
 * workers computed which groups. Jobs have ids made of the run, the step, the group and φ's
 * digest: a job added twice (after a learner restart) is the same job.
 *
 * If Redis loses the run's data (a restart without persistence), a job or a state vanishes; the
 * runner then throws `RunStateLost` (whenever the step's φ is gone from Redis), and the caller
 * resumes from its last checkpoint.
 */
import { createHash } from 'node:crypto';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { TruncationRequest, TruncationRunner } from '../meta/groups.ts';
import type { TruncationResult } from '../meta/truncation.ts';
import { encodeFloats } from './blobs.ts';
import {
  base64ToFloats,
  checkRedis,
  connectionOptions,
  CURRENT_RUN_KEY,
  KEY_TTL_SECONDS,
  LOST_STATE,
  phiKey,
  QUEUE_NAME,
  recordKey,
  type RunRecord,
  type TruncationJob,
  type TruncationReply,
} from './protocol.ts';

/** Redis lost the run's jobs or states (e.g. it restarted without persistence): resume from a checkpoint. */
export class RunStateLost extends Error {}

/** How the queue looks to the learner, for its progress line. */
export interface QueueStatus {
  /** Workers connected to the queue. */
  workers: number;
  /** Jobs waiting or being computed. */
  pending: number;
  /** Jobs done (kept for an hour). */
  done: number;
}

/** A runner on the queue, with its queue status and a way to close its connections. */
export interface QueueRunner extends TruncationRunner {
  status(): QueueStatus;
  /** Milliseconds per meta-step: wall time, and the workers' compute time of its slowest group. */
  timing(): { wallMs: number; computeMs: number };
  close(): Promise<void>;
}

/** The error of a failed job: `RunStateLost` when Redis lost what it needed. */
function failure(id: string, reason: string): Error {
  return reason.startsWith(LOST_STATE) ? new RunStateLost(reason) : new Error(`a worker failed on job ${id}: ${reason}`);
}

/**
 * How long closing the queue's connections may take. BullMQ's close of the events connection waits
 * for the connection's end, which never comes when ioredis was waiting to reconnect (just after a
 * Redis restart); the reconnection is cancelled by then, and nothing it leaves (BullMQ's 5-second
 * pause after a failed read of events) outlives the process's own work by more than seconds.
 */
const CLOSE_MS = 2000;

/** Waits for `closing` to settle, or `ms` milliseconds, whichever comes first. */
async function closeWithin(ms: number, closing: Array<Promise<unknown>>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled(closing), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** How often the learner checks on its jobs besides their completion events. */
const POLL_MS = 500;

/** Starts the learner's side of run `record` on the Redis at `url`: publishes the record, then runs truncations on the workers. */
export async function queueTruncations(url: string, record: RunRecord, groups: number): Promise<QueueRunner> {
  await checkRedis(url);
  const connection = connectionOptions(url);
  const redis = new Redis(connection);
  const queue = new Queue<TruncationJob, TruncationReply>(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection });
  // Connection errors (Redis restarting) are retried by ioredis and BullMQ; they need no trace.
  for (const emitter of [redis, queue, events] as Array<{ on(event: 'error', f: () => void): unknown }>) emitter.on('error', () => {});
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  /** Publishes the run's record (again before every meta-step: a restarted Redis has lost it). */
  const publish = async () => {
    await redis.set(recordKey(record.id), JSON.stringify(record), 'EX', KEY_TTL_SECONDS);
    await redis.set(CURRENT_RUN_KEY, record.id);
  };
  await publish();
  let status: QueueStatus = { workers: 0, pending: 0, done: 0 };
  let timing = { wallMs: 0, computeMs: 0 };
  const refresh = async () => {
    try {
      const [workers, counts] = await Promise.all([queue.getWorkers(), queue.getJobCounts('waiting', 'active', 'completed')]);
      status = { workers: workers.length, pending: (counts.waiting ?? 0) + (counts.active ?? 0), done: counts.completed ?? 0 };
    } catch {
      // Redis is away: keep the last status.
    }
  };
  const timer = setInterval(() => void refresh(), 1000);
  timer.unref();
  await refresh();

  /** `RunStateLost` when job `id`'s φ at `key` is gone from Redis (it restarted and lost the run's data), else null. */
  const lost = async (key: string, id: string, reason?: string): Promise<RunStateLost | null> =>
    (await redis.exists(key)) === 0 ? new RunStateLost(`φ of job ${id} vanished${reason ? `; the job failed: ${reason}` : ''}`) : null;

  /**
   * A job's reply, from its completion event or, failing that, from polling it. Both check that
   * Redis still holds the step's φ at `key`: a job that vanished, or that failed because its data
   * vanished ("Missing key for job", from a worker's result reaching a restarted Redis), ends in
   * `RunStateLost`.
   */
  const replyOf = (job: Job<TruncationJob, TruncationReply>, key: string): Promise<TruncationReply> =>
    new Promise((resolve, reject) => {
      let settled = false;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        clearInterval(poll);
        f();
      };
      job.waitUntilFinished(events).then(
        (reply) => settle(() => resolve(reply as TruncationReply)),
        async (error) => {
          const reason = error instanceof Error ? error.message : String(error);
          const gone = await lost(key, job.id!, reason).catch(() => null);
          settle(() => reject(gone ?? failure(job.id!, reason)));
        },
      );
      const poll = setInterval(async () => {
        try {
          const gone = await lost(key, job.id!);
          if (gone) return settle(() => reject(gone));
          // The state first, then the job: a job read before it finished would have no result yet.
          const state = await queue.getJobState(job.id!);
          if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return;
          const done = state === 'unknown' ? undefined : await queue.getJob(job.id!);
          if (!done) return settle(() => reject(new RunStateLost(`job ${job.id} vanished from Redis`)));
          if (state === 'completed' && done.returnvalue) settle(() => resolve(done.returnvalue as TruncationReply));
          else if (state === 'failed') settle(() => reject(failure(job.id!, done.failedReason)));
        } catch {
          // Redis is away: try again at the next poll.
        }
      }, POLL_MS);
      // The poll never keeps the process alive on its own (a step abandoned after another job failed).
      poll.unref();
    });

  return {
    async run(request: TruncationRequest): Promise<TruncationResult[]> {
      const started = performance.now();
      await publish();
      const key = phiKey(record.id, request.iteration, request.index);
      await redis.set(key, encodeFloats(request.phi), 'EX', KEY_TTL_SECONDS);
      const digest = createHash('sha256').update(Buffer.from(request.phi.buffer, request.phi.byteOffset, request.phi.byteLength)).digest('hex').slice(0, 16);
      const jobs = await queue.addBulk(
        Array.from({ length: groups }, (_, group) => ({
          name: 'truncation',
          data: { run: record.id, iteration: request.iteration, group, index: request.index, length: request.length, train: request.train, phiKey: key },
          opts: {
            jobId: `${record.id}-${request.iteration}-${request.index}-${group}-${digest}`,
            // A worker that refuses a run (another version or engine) fails an attempt; another worker takes the next.
            attempts: 3,
            removeOnComplete: { age: KEY_TTL_SECONDS },
            removeOnFail: { age: KEY_TTL_SECONDS },
          },
        })),
      );
      const replies = await Promise.all(jobs.map((job) => replyOf(job, key)));
      timing = { wallMs: performance.now() - started, computeMs: Math.max(...replies.map((r) => r.computeMs)) };
      return replies.map((r) => ({ losses: r.losses, objectiveSum: r.objectiveSum, metaGrad: r.metaGrad === null ? null : base64ToFloats(r.metaGrad), ...(r.imitationLoss !== undefined ? { imitationLoss: r.imitationLoss } : {}) }));
    },
    async endIteration() {},
    status: () => status,
    timing: () => timing,
    async close() {
      clearInterval(timer);
      await closeWithin(CLOSE_MS, [events.close(), queue.close()]);
      redis.disconnect();
    },
  };
}
