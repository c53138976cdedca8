/**
 * The browser-safe API: everything that runs unchanged in Node and in a web page (tasks,
 * optimizers, the learned optimizer, meta-training, evaluation, chart specs, results files, the
 * tf.Optimizer adapter), computing on the TensorFlow.js engine. No file system, no Node
 * built-ins: `index.ts` adds those for Node, and the native engine.
 */

/** Seeded, splittable random numbers. */
export { Rng, type RngState } from './random/rng.ts';
/** Tasks (optimizees) and task families; θ is one flat array. */
export { autodiffLossAndGrad, meanLossScale, numCoordinates, paramTensors, flatValues, type Task, type TaskFamily, type TaskSize, type LossAndGrad, type Objective, type MetaObjective } from './tasks/task.ts';
/** Random quadratics ||Wθ − y||². */
export { QuadraticFamily, QuadraticTask, DEFAULT_QUADRATIC, type QuadraticConfig, type QuadraticVariant } from './tasks/quadratic.ts';
/** The optimizer interface (flat arrays) and helpers. */
export { applyUpdates, elementwiseOptimizer, type Optimizer, type OptimizerFactory, type SavedState, type ElementwiseRule } from './optimizers/optimizer.ts';
export { sumOptimizer } from './optimizers/sum.ts';
/** Hand-designed optimizers. */
export { sgd } from './optimizers/sgd.ts';
export { momentum, nag } from './optimizers/momentum.ts';
export { rmsprop } from './optimizers/rmsprop.ts';
export { adam } from './optimizers/adam.ts';
export { adagrad } from './optimizers/adagrad.ts';
export { HAND_DESIGNED, DEFAULT_BASELINES } from './optimizers/registry.ts';
/** The coordinatewise LSTM optimizer. */
export { PAPER_LSTM, initMetaParams, metaParamShapes, metaParamCount, learnedOptimizerName, type LstmConfig, type LstmInputs } from './learned/lstmConfig.ts';
export { learnedOptimizer } from './learned/learnedOptimizer.ts';
export { largestStep, type LargestStep } from './learned/largestStep.ts';
export { PAPER_P } from './learned/preprocess.ts';
export { toOptimizerFile, fromOptimizerFile, OPTIMIZER_FORMAT, OPTIMIZER_VERSION, type OptimizerFile, type Provenance } from './learned/optimizerFile.ts';
/** The compute engine: its interface, and TensorFlow.js's (the browser's). */
export { type Engine } from './engine/engine.ts';
export { tfjsEngine } from './engine/tfjs/tfjsEngine.ts';
/** Unrolls and meta-training. */
export { unroll, meanCurve, Unroller, type UnrollResult } from './unroll/unroll.ts';
export { truncation, startOptimizee, releaseOptimizee, type OptimizeeState, type TruncationResult } from './meta/truncation.ts';
export { referenceMetaGradient, frozenGradientMetaLoss } from './meta/referenceMetaGradient.ts';
export { metaTrain, defaultMetaTrainConfig, type MetaTrainConfig, type MetaTrainHooks, type MetaTrainResult } from './meta/metaTrain.ts';
/** Evaluation and reports. */
export { compare, defaultCompareConfig, type CompareConfig, type Contender, type Results, type OptimizerResult } from './eval/compare.ts';
export { tuneLearningRate, DEFAULT_LR_GRID, type TuningResult } from './eval/tune.ts';
export { handDesignedContender, lstmContender, localRunner, runUnrollJob, type OptimizerSpec, type UnrollJob, type UnrollRunner } from './eval/unrollJob.ts';
export { curveStats, type CurveStats } from './eval/stats.ts';
export { lossChartSpec, VEGA_LITE_SCHEMA, type ChartOptions } from './report/chartSpec.ts';
export { parseResults, parseResultsIndex, isResultsIndex, resultsIndex, ResultsFileError, type ResultsIndex, type ResultsPanel } from './report/resultsFile.ts';
export { summaryRows, summaryTable, summaryMarkdown, type SummaryRows } from './report/summary.ts';
/** Drop-in use with TensorFlow.js: any optimizer as a tf.Optimizer. */
export { L2LOptimizer, loadLearnedOptimizer, handDesignedTfOptimizer, type AdapterSpec } from './adapter/tfOptimizer.ts';
/** MNIST and the MLP task family. */
/** The gradient kernels TensorFlow.js's wasm backend lacks (convolutions, pooling, embeddings); Node's initBackend registers them. */
export { registerWasmGradientKernels } from './kernels/wasmKernels.ts';
export { MNIST_PIXELS, MNIST_CLASSES, mnistImages, type MnistSplit, type MnistSplitName, type MnistSource } from './data/mnistSplit.ts';
export { encodeMnistAsset, parseMnistAsset, MnistAssetError } from './data/mnistAsset.ts';
export { MlpFamily, MlpTask, PAPER_MLP, ACTIVATIONS, type MlpConfig, type Activation } from './tasks/mlp.ts';
/** Convnets on 28×28 images, configured by a layer list. */
export { ConvnetFamily, ConvnetTask, parseLayers, convnetShapes, PAPER_CONVNET_LAYERS, type ConvnetConfig, type ConvLayer } from './tasks/convnet.ts';
/** Recurrent networks on the TensorFlow.js examples' addition task (SimpleRNN or GRU). */
export { RnnFamily, RnnTask, DEFAULT_RNN, RNN_CELLS, rnnShapes, additionBatch, type RnnConfig, type RnnCell } from './tasks/rnn.ts';
/** A mixture of task families (training a general-purpose optimizer). */
export { MixtureFamily, type MixtureComponent, type MixtureConfig } from './tasks/mixture.ts';
/** Scoring a learned optimizer across a grid of tasks (l2l generalize). */
export { scoreTask, summarizeGrid, gridTable, type TaskScore, type GridSummary, type OptimizerScore } from './generalize/score.ts';
export { heatmapSpec } from './generalize/heatmap.ts';
/** How the adapter saves a learned optimizer's state. */
export { type StateFormat, STATE_FORMATS } from './adapter/stateFormat.ts';
