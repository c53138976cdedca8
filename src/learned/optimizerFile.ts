/**
 * The learned-optimizer file: versioned JSON holding the LSTM configuration, its named weights
 * and provenance. Loading validates everything and never executes code; it allocates only φ's
 * size, which the validated configuration implies.
 *
 *   {
 *     "format": "l2l-lstm-optimizer", "version": 1,
 *     "config": { "hidden": [20, 20], "inputs": "gradient", "preprocessP": 10, "outputScale": 0.1, "forgetBias": 1 },
 *                 (optionally "base": { "optimizer": "nag", "learningRate": 1 }: a hand-designed step added;
 *                  "paramInput": true: the LSTM reads log|θ| too, version 3;
 *                  "inputs": "adam-log", version 4)
 *     "weights": { "lstm0.i.wx": { "shape": [2, 20], "values": [...] }, ... },
 *     "provenance": { "command": "...", "seed": 1, "iterations": 300, "validationLoss": 0.2, ... }
 *   }
 */
import { HAND_DESIGNED } from '../optimizers/registry.ts';
import type { BaseStep } from './baseStep.ts';
import { LSTM_INPUTS, metaParamCount, metaParamShapes, metaParamViews, type LstmConfig, type LstmInputs } from './lstmConfig.ts';

/** The `format` field of every optimizer file. */
export const OPTIMIZER_FORMAT = 'l2l-lstm-optimizer';
/**
 * The newest file version: 2 adds a base step's learned rate (`config.base.learnRate` and the
 * weight 'base.logRate'), 3 parameter inputs (`config.paramInput`), 4 'adam-log' inputs; a
 * file uses the lowest version that holds its configuration, and one with none of them is
 * version 1, which every version reads.
 */
export const OPTIMIZER_VERSION = 4;

/** Where an optimizer came from. */
export interface Provenance {
  command: string;
  seed: number;
  task: string;
  taskConfig: Record<string, unknown>;
  /** Meta-iterations done when the file was saved. */
  iterations: number;
  /** The meta-iteration the φ was trained to (with a curriculum it can be earlier than `iterations`). */
  bestIteration: number;
  validationLoss: number;
  trainingConfig: Record<string, unknown>;
  /** With a curriculum: its stages (horizons, iterations, best validation). */
  stages?: unknown[];
  createdAt: string;
  packageVersion: string;
}

/** The parsed contents of an optimizer file. */
export interface OptimizerFile {
  format: typeof OPTIMIZER_FORMAT;
  version: number;
  config: LstmConfig;
  weights: Record<string, { shape: number[]; values: number[] }>;
  provenance: Provenance;
}

/** A problem with an optimizer file's contents. */
export class OptimizerFileError extends Error {}

/** Builds the JSON document for φ (flat, `metaParamShapes` order). */
export function toOptimizerFile(config: LstmConfig, phi: Float32Array, provenance: Provenance): OptimizerFile {
  const weights: OptimizerFile['weights'] = {};
  for (const [name, shape, values] of metaParamViews(config, phi)) weights[name] = { shape, values: Array.from(values) };
  return { format: OPTIMIZER_FORMAT, version: fileVersion(config), config: { ...config }, weights, provenance };
}

/** The lowest file version that holds `config` (see `OPTIMIZER_VERSION`). */
function fileVersion(config: LstmConfig): number {
  if (config.inputs === 'adam-log') return 4;
  return config.paramInput ? 3 : config.base?.learnRate ? 2 : 1;
}

/** Validates a parsed JSON value as an optimizer file and returns its config and φ (flat). */
export function fromOptimizerFile(json: unknown): { config: LstmConfig; phi: Float32Array; provenance: Provenance } {
  const doc = json as Partial<OptimizerFile>;
  if (!isObject(doc) || doc.format !== OPTIMIZER_FORMAT) {
    throw new OptimizerFileError(`not a learned-optimizer file (expected "format": "${OPTIMIZER_FORMAT}")`);
  }
  const version = doc.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > OPTIMIZER_VERSION) {
    throw new OptimizerFileError(`unsupported optimizer file version ${JSON.stringify(version)}: this version of l2l reads versions 1 to ${OPTIMIZER_VERSION}; re-train or convert the file`);
  }
  const config = validateConfig(doc.config, version);
  if (!isObject(doc.weights)) throw new OptimizerFileError('optimizer file has no "weights" object');
  // Every weight is checked against the file's own values before φ is allocated.
  const values: number[][] = [];
  for (const [name, shape] of metaParamShapes(config)) {
    const w = (doc.weights as Record<string, unknown>)[name] as { shape?: unknown; values?: unknown } | undefined;
    if (!isObject(w)) throw new OptimizerFileError(`optimizer file is missing weight '${name}'`);
    if (JSON.stringify(w.shape) !== JSON.stringify(shape)) {
      throw new OptimizerFileError(`weight '${name}' has shape ${JSON.stringify(w.shape)}, expected ${JSON.stringify(shape)} for this config`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (!Array.isArray(w.values) || w.values.length !== size) {
      throw new OptimizerFileError(`weight '${name}' must have ${size} values`);
    }
    if (!w.values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new OptimizerFileError(`weight '${name}' has a non-finite or non-numeric value`);
    }
    values.push(w.values as number[]);
  }
  const phi = new Float32Array(metaParamCount(config));
  values.reduce((offset, v) => (phi.set(v, offset), offset + v.length), 0);
  return { config, phi, provenance: (doc.provenance ?? {}) as Provenance };
}

function validateConfig(config: unknown, version: number): LstmConfig {
  const c = config as Partial<LstmConfig>;
  const bad = (field: string) => new OptimizerFileError(`optimizer file has an invalid config.${field}`);
  if (!isObject(c)) throw new OptimizerFileError('optimizer file has no "config" object');
  if (!Array.isArray(c.hidden) || c.hidden.length === 0 || c.hidden.length > 16 || !c.hidden.every((h) => Number.isInteger(h) && h > 0 && h <= 4096)) throw bad('hidden');
  if (!LSTM_INPUTS.includes(c.inputs as LstmInputs)) throw bad(`inputs (one of ${LSTM_INPUTS.join(', ')})`);
  if (c.inputs === 'adam-log' && version < 4) throw bad("inputs ('adam-log' in version-4 files)");
  if ((c.inputs === 'both' || c.inputs === 'adam-log') && c.preprocessP === null) throw bad(`preprocessP ('${c.inputs}' inputs need a number)`);
  if (!(c.preprocessP === null || (typeof c.preprocessP === 'number' && c.preprocessP > 0))) throw bad('preprocessP');
  if (typeof c.outputScale !== 'number' || !Number.isFinite(c.outputScale)) throw bad('outputScale');
  if (typeof c.forgetBias !== 'number' || !Number.isFinite(c.forgetBias)) throw bad('forgetBias');
  const out: LstmConfig = { hidden: [...c.hidden], inputs: c.inputs as LstmInputs, preprocessP: c.preprocessP, outputScale: c.outputScale, forgetBias: c.forgetBias };
  if (c.magnitude !== undefined) {
    if (typeof c.magnitude !== 'number' || !(c.magnitude >= 0 && c.magnitude <= 100)) throw bad('magnitude (a number from 0 to 100)');
    if (c.magnitude > 0) out.magnitude = c.magnitude;
  }
  if (c.paramInput !== undefined) {
    if (version < 3 || typeof c.paramInput !== 'boolean') throw bad('paramInput (a boolean, in version-3 files)');
    if (c.paramInput) out.paramInput = true;
  }
  if (c.base !== undefined && c.base !== null) {
    const b = c.base as Partial<BaseStep>;
    if (!isObject(b) || typeof b.optimizer !== 'string' || !(b.optimizer in HAND_DESIGNED)) throw bad(`base.optimizer (one of ${Object.keys(HAND_DESIGNED).join(', ')})`);
    if (typeof b.learningRate !== 'number' || !(b.learningRate > 0) || !Number.isFinite(b.learningRate)) throw bad('base.learningRate');
    if (b.learnRate !== undefined && (version < 2 || typeof b.learnRate !== 'boolean')) throw bad('base.learnRate (a boolean, in version-2 files)');
    out.base = { optimizer: b.optimizer, learningRate: b.learningRate, ...(b.learnRate ? { learnRate: true } : {}) };
  }
  return out;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
