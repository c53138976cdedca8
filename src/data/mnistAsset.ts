/**
 * A compact binary form of some MNIST images for web pages (no file system, no IDX parsing in
 * the page): the ASCII magic `L2LMNIST`, a little-endian uint32 format version (1), a uint32
 * image count n, then n × 784 pixel bytes (0–255, row-major) and n label bytes.
 */
import { MNIST_CLASSES, MNIST_PIXELS, type MnistSplit } from './mnistSplit.ts';

const MAGIC = 'L2LMNIST';
const VERSION = 1;
const HEADER_BYTES = 16;

/** A problem with an MNIST asset's contents. */
export class MnistAssetError extends Error {}

/** Packs the first `count` images of `split` into the asset format. */
export function encodeMnistAsset(split: MnistSplit, count: number = split.count): Uint8Array {
  if (!Number.isInteger(count) || count < 1 || count > split.count) throw new RangeError(`count must be an integer in 1..${split.count}, got ${count}`);
  const bytes = new Uint8Array(HEADER_BYTES + count * (MNIST_PIXELS + 1));
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < MAGIC.length; i++) bytes[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, count, true);
  bytes.set(split.pixels.subarray(0, count * MNIST_PIXELS), HEADER_BYTES);
  bytes.set(split.labels.subarray(0, count), HEADER_BYTES + count * MNIST_PIXELS);
  return bytes;
}

/** Parses an asset made by `encodeMnistAsset`, checking magic, version, size and labels. */
export function parseMnistAsset(bytes: Uint8Array): MnistSplit {
  if (bytes.length < HEADER_BYTES || String.fromCharCode(...bytes.subarray(0, MAGIC.length)) !== MAGIC) {
    throw new MnistAssetError(`not an MNIST asset (no '${MAGIC}' header)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== VERSION) throw new MnistAssetError(`MNIST asset version ${version} is not supported (expected ${VERSION})`);
  const count = view.getUint32(12, true);
  const expected = HEADER_BYTES + count * (MNIST_PIXELS + 1);
  if (bytes.length !== expected) throw new MnistAssetError(`MNIST asset holds ${bytes.length} bytes but its header (${count} images) says ${expected}: truncated or corrupt`);
  const pixels = bytes.slice(HEADER_BYTES, HEADER_BYTES + count * MNIST_PIXELS);
  const labels = bytes.slice(HEADER_BYTES + count * MNIST_PIXELS);
  const bad = labels.findIndex((l) => l >= MNIST_CLASSES);
  if (bad >= 0) throw new MnistAssetError(`MNIST asset has label ${labels[bad]} at image ${bad}: corrupt`);
  return { pixels, labels, count };
}
