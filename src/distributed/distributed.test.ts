import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { PACKAGE_VERSION } from '../cli/version.ts';
import { NATIVE_SKIP } from '../testing/engines.ts';
import { startRedis, REDIS_SKIP, type TestRedis } from './redisServer.ts';
import { connectionOptions, CURRENT_RUN_KEY, QUEUE_NAME, recordKey } from './protocol.ts';

const repo = path.resolve(import.meta.dirname, '../..');
// No test may hang the suite: each fails after this long (a normal one takes seconds).
const LIMIT = { timeout: 120_000 };
/** Every process a test started (killed after the tests, whatever state a failure left them in). */
const children = new Set<ChildProcess>();
// A small MNIST run: 3 iterations of 2 groups, 40 steps in truncations of 20 (each job about a tenth of a second).
const RUN = ['--task', 'mnist', '--hidden', '20', '--iterations', '3', '--members', '1', '--validation-members', '2', '--validate-every', '1', '--horizon', '40', '--unroll', '20', '--groups', '2', '--seed', '5'];

/** Runs `node bin/l2l.js args`; resolves with its exit code and stderr. */
function l2l(args: string[], onStderr?: (text: string) => void): { child: ChildProcess; done: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, ['bin/l2l.js', ...args], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
    onStderr?.(String(chunk));
  });
  return { child, done: new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr }))) };
}

/** A worker process; resolves once it says it is ready. */
async function worker(url: string, name: string, extra: string[] = []): Promise<ChildProcess> {
  let ready: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const { child } = l2l(['worker', '--redis', url, '--lock-ms', '1500', ...extra], (text) => text.includes('worker ready') && ready());
  child.on('exit', () => ready());
  await isReady;
  assert.equal(child.exitCode, null, `worker ${name} started`);
  return child;
}

/** φ of a run's optimizer.json (its weights' values). */
function weights(dir: string): number[] {
  const doc = JSON.parse(fs.readFileSync(path.join(dir, 'optimizer.json'), 'utf8'));
  return Object.values(doc.weights as Record<string, { values: number[] }>).flatMap((w) => w.values);
}

describe('distributed meta-training (BullMQ on a Redis of its own)', { skip: REDIS_SKIP }, () => {
  let redis: TestRedis;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-distributed-'));
  let single: number[];
  const workers: ChildProcess[] = [];
  before(async () => {
    redis = await startRedis();
    const { done } = l2l(['train', ...RUN, '--out', path.join(tmp, 'single')]);
    assert.equal((await done).code, 0);
    single = weights(path.join(tmp, 'single'));
  }, LIMIT);
  after(async () => {
    for (const child of [...workers, ...children]) child.kill('SIGKILL');
    await redis?.stop();
  });

  it('a learner and 2 worker processes end with the single-process run\'s φ, bit for bit', LIMIT, async () => {
    workers.push(await worker(redis.url, 'a'), await worker(redis.url, 'b'));
    const { done } = l2l(['train', ...RUN, '--redis', redis.url, '--out', path.join(tmp, 'two-workers')]);
    const { code, stderr } = await done;
    assert.equal(code, 0, stderr);
    assert.deepEqual(weights(path.join(tmp, 'two-workers')), single);
  });

  it('a worker killed (SIGKILL) in the middle of a job: another takes the job, and the run ends with the same φ', LIMIT, async () => {
    const connection = connectionOptions(redis.url);
    const queue = new Queue(QUEUE_NAME, { connection });
    const events = new QueueEvents(QUEUE_NAME, { connection });
    await events.waitUntilReady();
    // Kill the victim as soon as it has started a job of this run.
    const victim = workers[0];
    let killed = 0;
    let stalled = 0;
    events.on('active', async ({ jobId }) => {
      const job = await queue.getJob(jobId);
      if (!killed && job?.processedBy?.endsWith(`:${victim.pid}`)) {
        victim.kill('SIGKILL');
        killed++;
      }
    });
    events.on('stalled', () => stalled++);
    const { done } = l2l(['train', ...RUN, '--redis', redis.url, '--out', path.join(tmp, 'killed-worker')]);
    const { code, stderr } = await done;
    await events.close();
    await queue.close();
    assert.equal(killed, 1, 'the victim was killed while it held a job');
    assert.ok(stalled >= 1, 'its job was found stalled and given to another worker');
    assert.equal(code, 0, stderr);
    assert.deepEqual(weights(path.join(tmp, 'killed-worker')), single);
    workers.shift();
  });

  it('a learner killed (SIGKILL) and resumed ends with the same φ', LIMIT, async () => {
    const dir = path.join(tmp, 'killed-learner');
    const first = l2l(['train', ...RUN, '--redis', redis.url, '--out', dir]);
    // Kill it once it has checkpointed its first iteration (in the middle of the second).
    const checkpoint = path.join(dir, 'checkpoint.json');
    while (!fs.existsSync(checkpoint) && first.child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    assert.equal(first.child.exitCode, null, 'the learner was still running after its first checkpoint');
    first.child.kill('SIGKILL');
    await first.done;
    const { done } = l2l(['train', '--resume', dir]);
    const { code, stderr } = await done;
    assert.equal(code, 0, stderr);
    assert.deepEqual(weights(dir), single);
  });

  /**
   * Runs the small run on the queue, restarting Redis (all its data lost) once the second
   * iteration's second truncation has started (iteration 1, index 1); with `freeze`, the workers
   * are stopped (SIGSTOP) during the restart and go on after it, so their results reach the new Redis.
   */
  async function runThroughRestart(dir: string, freeze: boolean): Promise<void> {
    const events = new QueueEvents(QUEUE_NAME, { connection: connectionOptions(redis.url) });
    await events.waitUntilReady();
    let restarted = false;
    events.on('active', ({ jobId }) => {
      if (!restarted && /-1-1-\d+-\w+$/.test(jobId)) {
        restarted = true;
        if (freeze) for (const w of workers) w.kill('SIGSTOP');
        void events
          .close()
          .then(() => redis.restart())
          .finally(() => freeze && workers.forEach((w) => w.kill('SIGCONT')));
      }
    });
    const { code, stderr } = await l2l(['train', ...RUN, '--redis', redis.url, '--out', dir]).done;
    assert.ok(restarted, 'Redis was restarted during the run');
    assert.equal(code, 0, stderr);
    assert.match(stderr, /Redis lost the run's state .*; continuing from the last checkpoint/);
    assert.deepEqual(weights(dir), single);
  }

  it('Redis restarted mid-iteration (its data lost): the learner goes on from its checkpoint, the workers reconnect, and φ is the same', LIMIT, async () => {
    await runThroughRestart(path.join(tmp, 'redis-restart'), false);
  });

  it('Redis restarted while the workers are frozen (their results reach the new, empty Redis): the learner goes on from its checkpoint, and φ is the same', LIMIT, async () => {
    await runThroughRestart(path.join(tmp, 'late-results'), true);
  });

  it('a worker of another engine refuses the run with one line and exit code 2', { ...LIMIT, skip: NATIVE_SKIP }, async () => {
    // The learner's record of a native run (of this version), as `l2l train --redis` publishes it.
    const connection = new Redis(connectionOptions(redis.url));
    await connection.set(recordKey('native-run'), JSON.stringify({ id: 'native-run', packageVersion: PACKAGE_VERSION, engine: 'native' }));
    await connection.set(CURRENT_RUN_KEY, 'native-run');
    connection.disconnect();
    const { done } = l2l(['--kernel', 'tfjs', 'worker', '--redis', redis.url]);
    const { code, stderr } = await done;
    assert.equal(code, 2);
    assert.match(stderr, /^l2l: run native-run computes on the native engine, this worker on tfjs: start it with --kernel native\n$/m);
  });
});
