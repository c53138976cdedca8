/**
 * `npm run bench:distributed`: distributed meta-training on this machine. A private Redis
 * (`redis-server` on a free loopback port), 1 then 2 worker processes (`l2l worker --threads 1`),
 * and the learner in this process running meta-iterations of 2 groups (no validation), against
 * the same iterations computed in one process on one thread. Prints, per task: meta-steps per
 * second, group-truncations per second, the scaling from 1 to 2 workers, and the queue's
 * overhead per meta-step (wall time minus the slowest group's compute time on its worker) in ms
 * and as a fraction of the meta-step. Nothing is asserted; `--json FILE` writes the figures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { initBackend } from '../backend/backend.ts';
import { loadMnist } from '../data/mnist.ts';
import { queueTruncations } from '../distributed/learner.ts';
import { REDIS_SKIP, startRedis } from '../distributed/redisServer.ts';
import { selectEngine } from '../engine/select.ts';
import { writeFileAtomic } from '../io/atomicWrite.ts';
import { initMetaParams, PAPER_LSTM } from '../learned/lstmConfig.ts';
import { metaIteration, type MetaState } from '../meta/metaIteration.ts';
import { defaultMetaTrainConfig, type MetaTrainConfig } from '../meta/metaTrain.ts';
import { metaOptimizer } from '../meta/metaOptimizer.ts';
import { Rng } from '../random/rng.ts';
import { familySpec } from '../tasks/familySpec.ts';
import { MlpFamily, PAPER_MLP } from '../tasks/mlp.ts';
import { QuadraticFamily } from '../tasks/quadratic.ts';
import type { TaskFamily } from '../tasks/task.ts';
import { PACKAGE_VERSION } from '../cli/version.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const GROUPS = 2;

/** Starts a worker process on one kernel thread; resolves when it is ready. */
function startWorker(url: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/l2l.js', 'worker', '--redis', url, '--threads', '1', '--quiet'], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (chunk) => String(chunk).includes('worker ready') && resolve(child));
    child.on('exit', (code) => reject(new Error(`worker exited with code ${code}`)));
  });
}

/** Seconds of each of `iterations` meta-iterations (after one warm-up), with the runner given or in this process. */
async function timeIterations(family: TaskFamily, config: MetaTrainConfig, iterations: number, queue?: Awaited<ReturnType<typeof queueTruncations>>) {
  const engine = selectEngine({ threads: 1 });
  const phi = initMetaParams(config.lstm, new Rng(0).child('phi'));
  const run: MetaState = { phi, metaState: metaOptimizer(0).init(phi.length) };
  const seconds: number[] = [];
  const overheadMs: number[] = [];
  const stepMs: number[] = [];
  for (let it = 0; it <= iterations; it++) {
    const started = performance.now();
    const steps = config.horizon / config.unrollLength;
    const wrapped = queue && {
      run: async (request: Parameters<typeof queue.run>[0]) => {
        const result = await queue.run(request);
        const { wallMs, computeMs } = queue.timing();
        if (it > 0) {
          overheadMs.push(wallMs - computeMs);
          stepMs.push(wallMs);
        }
        return result;
      },
      endIteration: queue.endIteration,
    };
    await metaIteration(engine, family, config, run, it, config.horizon, 1e-3, async () => {}, wrapped);
    if (it > 0) seconds.push((performance.now() - started) / 1000 / steps);
  }
  await engine.close();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  return { metaStepSeconds: median(seconds), ...(queue ? { overheadMs: median(overheadMs), metaStepMs: median(stepMs) } : {}) };
}

if (REDIS_SKIP) {
  process.stderr.write(`bench:distributed needs ${REDIS_SKIP}\n`);
  process.exit(2);
}
const jsonIndex = process.argv.indexOf('--json');
await initBackend();
const redis = await startRedis();
const report: Record<string, unknown>[] = [];
try {
  const engineName = selectEngine().name;
  const cases: Array<[string, TaskFamily, number, number]> = [
    ['quadratic (128 × 10 coordinates per group)', new QuadraticFamily(), 128, 20],
    ['MNIST (784-20-10, one network per group)', new MlpFamily(PAPER_MLP, loadMnist, selectEngine({ threads: 1 }).mlp), 1, 3],
  ];
  for (const [label, family, members, iterations] of cases) {
    const config = defaultMetaTrainConfig({ lstm: PAPER_LSTM, membersPerTask: members, groups: GROUPS, seed: 0 });
    const local = await timeIterations(family, config, iterations);
    const entry: Record<string, unknown> = { task: label, groups: GROUPS, oneProcessMetaStepSeconds: local.metaStepSeconds };
    const workers: ChildProcess[] = [];
    for (const count of [1, 2]) {
      while (workers.length < count) workers.push(await startWorker(redis.url));
      const record = { id: `bench-${label.split(' ')[0]}-${count}`, packageVersion: PACKAGE_VERSION, engine: engineName, family: familySpec(family), settings: { seed: 0, lstm: PAPER_LSTM, membersPerTask: members, metaObjective: 'loss' as const, groups: GROUPS } };
      const queue = await queueTruncations(redis.url, record, GROUPS);
      const timed = await timeIterations(family, config, iterations, queue);
      await queue.close();
      entry[`workers${count}`] = { ...timed, metaStepsPerSecond: 1 / timed.metaStepSeconds, groupTruncationsPerSecond: GROUPS / timed.metaStepSeconds, overheadFraction: timed.overheadMs! / timed.metaStepMs! };
    }
    for (const w of workers) w.kill();
    const one = entry.workers1 as { metaStepsPerSecond: number };
    const two = entry.workers2 as { metaStepsPerSecond: number; overheadMs: number; overheadFraction: number };
    entry.scaling = two.metaStepsPerSecond / one.metaStepsPerSecond;
    report.push(entry);
    process.stdout.write(
      `${label}: one process ${(1 / local.metaStepSeconds).toFixed(1)} meta-steps/s; ` +
        `1 worker ${one.metaStepsPerSecond.toFixed(1)}, 2 workers ${two.metaStepsPerSecond.toFixed(1)} meta-steps/s (${(entry.scaling as number).toFixed(2)}×, efficiency ${((entry.scaling as number) / 2 * 100).toFixed(0)}%); ` +
        `queue overhead ${two.overheadMs.toFixed(1)} ms per meta-step (${(two.overheadFraction * 100).toFixed(1)}%)\n`,
    );
  }
} finally {
  await redis.stop();
}
if (jsonIndex > 0) writeFileAtomic(process.argv[jsonIndex + 1], JSON.stringify({ createdAt: new Date().toISOString(), parts: report }, null, 1) + '\n');
