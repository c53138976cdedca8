/**
 * The browser-safe API: everything that runs unchanged in Node and in a web page (tasks,
 * optimizers, the learned optimizer, meta-training, evaluation, chart specs, results files, the
 * tf.Optimizer adapter). No file system, no Node built-ins: `index.ts` adds those for Node.
 */

/** Seeded, splittable random numbers. */
export { Rng, type RngState } from './random/rng.ts';
/** Tasks (optimizees) and task families. */
export { lossAndGrad, autodiffLossAndGrad, meanLossScale, numCoordinates, type Task, type TaskFamily, type LossAndGrad, type FlatLossAndGrad, type Objective } from './tasks/task.ts';
/** Random quadratics ||Wθ − y||². */
export { QuadraticFamily, QuadraticTask, DEFAULT_QUADRATIC, type QuadraticConfig, type QuadraticVariant } from './tasks/quadratic.ts';
/** The optimizer interface and helpers. */
export { step, disposeState, elementwiseStepper, type Optimizer, type OptimizerFactory, type OptState, type UpdateResult, type ArrayStepper } from './optimizers/optimizer.ts';
/** Hand-designed optimizers. */
export { sgd } from './optimizers/sgd.ts';
export { momentum, nag } from './optimizers/momentum.ts';
export { rmsprop } from './optimizers/rmsprop.ts';
export { adam } from './optimizers/adam.ts';
export { adagrad } from './optimizers/adagrad.ts';
export { HAND_DESIGNED, DEFAULT_BASELINES } from './optimizers/registry.ts';
/** The coordinatewise LSTM optimizer. */
export { PAPER_LSTM, initMetaParams, metaParamShapes, learnedOptimizerName, type LstmConfig, type LstmInputs, type MetaParams } from './learned/lstmConfig.ts';
export { lstmOptimizer } from './learned/lstmOptimizer.ts';
export { logAndSign, PAPER_P } from './learned/preprocess.ts';
export { toOptimizerFile, fromOptimizerFile, OPTIMIZER_FORMAT, OPTIMIZER_VERSION, type OptimizerFile, type Provenance } from './learned/optimizerFile.ts';
/** Meta-training. */
export { unroll, meanCurve, Unroller, type UnrollResult } from './meta/unroll.ts';
export { truncatedMetaGradient, DEFAULT_BLOCK_ROWS, PARALLEL_MIN_ROWS, SHARD_BLOCK_ROWS, type TruncationStart, type TruncationResult } from './meta/metaGradient.ts';
export { LocalShard, type Shard, type ShardStart, type ShardResult } from './meta/shard.ts';
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
export { MNIST_PIXELS, MNIST_CLASSES, mnistImages, type MnistSplit, type MnistSplitName, type MnistSource } from './data/mnistSplit.ts';
export { encodeMnistAsset, parseMnistAsset, MnistAssetError } from './data/mnistAsset.ts';
export { MlpFamily, MlpTask, PAPER_MLP, ACTIVATIONS, type MlpConfig, type Activation } from './tasks/mlp.ts';
