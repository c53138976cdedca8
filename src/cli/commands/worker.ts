/** `l2l worker`: computes meta-training's truncation jobs for learners (`l2l train --redis URL`), on any machine. */
import type { Command } from 'commander';
import { startTruncationWorker } from '../../distributed/worker.ts';
import { selectEngine } from '../../engine/select.ts';
import { UserError } from '../../io/userError.ts';
import { intIn } from '../options.ts';
import { PACKAGE_VERSION } from '../version.ts';

/** Flags of `l2l worker`. */
interface WorkerFlags {
  redis: string;
  threads?: number;
  lockMs: number;
  quiet?: boolean;
}

/** Registers `l2l worker`. */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description("compute meta-training's truncations for learners (l2l train --redis URL) until stopped (Ctrl-C)")
    .requiredOption('--redis <url>', 'the Redis of the learner, e.g. redis://10.0.0.5:6379')
    .option('--threads <n>', 'threads of the native kernels (default: every core, or L2L_KERNEL_THREADS)', intIn(1, 1024))
    .option('--lock-ms <n>', 'milliseconds a job stays locked to this worker; if it dies mid-job, another worker takes the job after about this long', intIn(500, 3_600_000), 30_000)
    .option('--quiet', 'no line per job')
    .action(async (flags: WorkerFlags) => {
      const engine = selectEngine(flags.threads ? { threads: flags.threads } : {});
      let worker;
      try {
        worker = await startTruncationWorker(flags.redis, engine, {
          packageVersion: PACKAGE_VERSION,
          lockMs: flags.lockMs,
          onJob: flags.quiet ? undefined : (job, ms) => process.stderr.write(`run ${job.run}: iteration ${job.iteration}, truncation ${job.index}, group ${job.group}: ${ms.toFixed(0)} ms\n`),
        });
      } catch (error) {
        throw error instanceof UserError ? error : new UserError(`cannot start the worker: ${error instanceof Error ? error.message : error}`);
      }
      process.stderr.write(`worker ready on ${flags.redis} (${engine.name} engine, ${engine.threads} thread${engine.threads === 1 ? '' : 's'})\n`);
      const stop = new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      try {
        await Promise.race([stop, worker.refused]);
      } finally {
        await worker.close();
      }
    });
}
