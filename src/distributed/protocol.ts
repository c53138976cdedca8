/**
 * What the learner and the workers agree on in Redis: the queue's name, the keys of a run's
 * record, of each meta-step's φ and of each group's optimizee state between truncations, and
 * what a job carries and returns. A run record names the package version, the engine and the
 * recipe, so that a worker refuses a learner it would not compute exactly as the learner's own
 * process would.
 */
import type { FamilySpec } from '../tasks/familySpec.ts';
import type { GroupSettings } from '../meta/groups.ts';

/** The BullMQ queue every learner and worker use. */
export const QUEUE_NAME = 'l2l-truncations';

/** Seconds the learner's φ and the groups' states stay in Redis (longer than any meta-step). */
export const KEY_TTL_SECONDS = 3600;

/** What a learner publishes about its run. */
export interface RunRecord {
  id: string;
  packageVersion: string;
  /** 'native' or 'tfjs': the numbers depend on it. */
  engine: string;
  family: FamilySpec;
  settings: GroupSettings;
}

/** A job: truncation `index` of group `group` of meta-iteration `iteration`, with φ at `phiKey`. */
export interface TruncationJob {
  run: string;
  iteration: number;
  group: number;
  index: number;
  length: number;
  train: boolean;
  phiKey: string;
}

/** What a job returns (JSON): the group's losses and, when training, its meta-gradient (base64 float32). */
export interface TruncationReply {
  losses: number[];
  /** The meta-objective's terms summed over the truncation. */
  objectiveSum: number;
  metaGrad: string | null;
  imitationLoss?: number;
  /** Milliseconds the worker spent computing (for the overhead figures). */
  computeMs: number;
}

/** Starts the message of a job that failed because Redis lost what it needs (the learner then resumes from a checkpoint). */
export const LOST_STATE = 'lost state:';

/** The key of the learner's current run id (workers start with it). */
export const CURRENT_RUN_KEY = 'l2l:current-run';

/** The key of a run's record. */
export function recordKey(run: string): string {
  return `l2l:run:${run}:record`;
}

/** The key of φ for truncation `index` of `iteration`. */
export function phiKey(run: string, iteration: number, index: number): string {
  return `l2l:run:${run}:phi:${iteration}:${index}`;
}

/** The key of a group's optimizee state after truncation `index`. */
export function stateKey(run: string, iteration: number, group: number, index: number): string {
  return `l2l:run:${run}:state:${iteration}:${group}:${index}`;
}

/** A float array as base64 (its bytes, little-endian), and back. */
export function floatsToBase64(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/** The inverse of `floatsToBase64`. */
export function base64ToFloats(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4 !== 0) throw new Error('a meta-gradient of a whole number of floats was expected');
  const out = new Float32Array(bytes.length / 4);
  Buffer.from(out.buffer).set(bytes);
  return out;
}

/** ioredis connection options from a redis:// URL (BullMQ's workers need maxRetriesPerRequest: null). */
export function connectionOptions(url: string): { host: string; port: number; username?: string; password?: string; db?: number; maxRetriesPerRequest: null } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`not a Redis URL: '${url}' (expected redis://HOST:PORT)`);
  }
  if (parsed.protocol !== 'redis:') throw new Error(`not a Redis URL: '${url}' (expected redis://HOST:PORT)`);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined;
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(db !== undefined && Number.isInteger(db) ? { db } : {}),
    maxRetriesPerRequest: null,
  };
}

/** Resolves when the Redis at `url` answers a PING within `timeoutMs`; rejects with the reason otherwise. */
export async function checkRedis(url: string, timeoutMs = 5000): Promise<void> {
  const { Redis } = await import('ioredis');
  const probe = new Redis({ ...connectionOptions(url), lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new Error(`no Redis answers at ${url} (${error instanceof Error ? error.message : error})`);
  } finally {
    probe.disconnect();
  }
}
