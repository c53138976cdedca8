/**
 * `npm run bench`: throughput and memory of meta-training and evaluation, each part in its own
 * process. Prints a table and, with `--json FILE`, writes the figures as JSON. Timings are
 * medians with min–max over the timed iterations; nothing here is asserted.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { writeFileAtomic } from '../io/atomicWrite.ts';

const PARTS: Array<{ part: string; label: string; timed: number; threads?: number; kernel?: string; backend?: string }> = [
  { part: 'quadratic', label: 'quadratic meta-iteration (128 × 10 coordinates)', timed: 10 },
  { part: 'mnist', label: 'MNIST meta-iteration (784-20-10 sigmoid)', timed: 3 },
  { part: 'mnist-base', label: 'MNIST meta-iteration with a base step (LSTM × 0.05 + RMSprop 0.005)', timed: 3 },
  { part: 'mnist', label: 'MNIST meta-iteration, TensorFlow.js engine (--kernel tfjs, --threads 2)', timed: 3, threads: 2, kernel: 'tfjs' },
  { part: 'mnist-wide', label: 'MNIST meta-iteration, 4× wider (784-80-10)', timed: 1 },
  { part: 'mnist-eval', label: 'MNIST learned-optimizer evaluation (100 steps)', timed: 3 },
  { part: 'mnist-eval-batch', label: 'MNIST evaluation as compare runs it: 4 jobs of 3 networks × 100 steps, compare --threads 1', timed: 2, threads: 1 },
  { part: 'mnist-eval-batch', label: 'MNIST evaluation as compare runs it, compare --threads 2 (the default)', timed: 2, threads: 2 },
  { part: 'convnet-step', label: 'convnet loss and gradient, batch 128 (--task convnet), wasm backend', timed: 10 },
  { part: 'convnet-step', label: 'convnet loss and gradient, batch 128, cpu backend (--backend cpu)', timed: 2, backend: 'cpu' },
  { part: 'adapter-step', label: 'model.trainOnBatch of a 595k-parameter convnet (batch 128) through the adapter: learned LSTM', timed: 5 },
];

const args = process.argv.slice(2);
const jsonIndex = args.indexOf('--json');
const jsonFile = jsonIndex >= 0 ? args[jsonIndex + 1] : undefined;
const here = path.dirname(new URL(import.meta.url).pathname);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const report: Record<string, unknown>[] = [];
for (const { part, label, timed, threads, kernel, backend } of PARTS) {
  process.stderr.write(`running ${part}…\n`);
  let out: string;
  try {
    const env = { ...process.env, ...(threads ? { L2L_THREADS: String(threads) } : {}), ...(kernel ? { L2L_KERNEL: kernel } : {}), ...(backend ? { L2L_BACKEND: backend } : {}) };
    out = execFileSync(process.execPath, ['--import', 'tsx', path.join(here, 'measure.ts'), part, String(timed)], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (error) {
    const reason = `failed (exit ${(error as { status?: number }).status ?? '?'}; e.g. out of wasm memory)`;
    report.push({ part, label, failed: reason });
    process.stdout.write(`${label}: ${reason}\n`);
    continue;
  }
  const m = JSON.parse(out.trim().split('\n').pop()!);
  const seconds: number[] = m.seconds;
  const entry = {
    part,
    label,
    threads: m.threads,
    secondsMedian: median(seconds),
    secondsMin: Math.min(...seconds),
    secondsMax: Math.max(...seconds),
    // One meta-iteration is a 100-step horizon of every member; evaluation is 100 steps of each network.
    optimizeeStepsPerSecond: (100 * (m.members ?? 1)) / median(seconds),
    coordinates: m.coordinates,
    peakRssMb: Math.round(m.peakRssMb),
    timed: seconds.length,
    warmUp: m.warmUp,
    backend: m.backend,
    kernel: m.kernel,
  };
  report.push(entry);
  process.stdout.write(
    `${label}: ${entry.secondsMedian.toFixed(3)} s (min ${entry.secondsMin.toFixed(3)}, max ${entry.secondsMax.toFixed(3)}, n=${entry.timed}); ` +
      `${entry.optimizeeStepsPerSecond.toFixed(0)} optimizee steps/s; peak RSS ${entry.peakRssMb} MB\n`,
  );
  if (m.adamSeconds) {
    // The adapter's comparison: the same model's step with tf.train.adam, timed alternately in the same process.
    const adam = median(m.adamSeconds);
    report.push({ part: `${part}-adam`, label: 'the same step with tf.train.adam(0.001)', secondsMedian: adam, secondsMin: Math.min(...m.adamSeconds), secondsMax: Math.max(...m.adamSeconds), ratio: entry.secondsMedian / adam });
    process.stdout.write(`the same step with tf.train.adam(0.001): ${adam.toFixed(3)} s (min ${Math.min(...m.adamSeconds).toFixed(3)}, max ${Math.max(...m.adamSeconds).toFixed(3)}); learned / Adam ${(entry.secondsMedian / adam).toFixed(2)}×\n`);
  }
}
if (jsonFile) {
  writeFileAtomic(jsonFile, JSON.stringify({ createdAt: new Date().toISOString(), parts: report }, null, 1) + '\n');
  process.stderr.write(`wrote ${jsonFile}\n`);
}
