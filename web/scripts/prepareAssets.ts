/**
 * Writes what the web app fetches from its own origin into web/public/generated/: a compact
 * MNIST asset (the first 5,000 test images), the demo's pretrained MNIST optimizer and the
 * TensorFlow.js wasm binaries. Run by `npm run web:build`; nothing here downloads.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnist } from '../../src/data/mnist.ts';
import { encodeMnistAsset } from '../../src/data/mnistAsset.ts';
import { writeFileAtomic } from '../../src/io/atomicWrite.ts';

/** Images in the demo's MNIST asset. */
export const DEMO_IMAGES = 5000;

const repo = fileURLToPath(new URL('../..', import.meta.url));
const out = path.join(repo, 'web/public/generated');
fs.mkdirSync(path.join(out, 'tfjs-wasm'), { recursive: true });

writeFileAtomic(path.join(out, 'mnist-test-5000.bin'), encodeMnistAsset(loadMnist('test'), DEMO_IMAGES));
/** The demo's learned optimizer: the best shipped one on MNIST (see the README's MNIST results). */
const DEMO_OPTIMIZER = 'pretrained/mnist.json';
fs.copyFileSync(path.join(repo, DEMO_OPTIMIZER), path.join(out, 'mnist-optimizer.json'));
const wasmDir = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'));
for (const file of fs.readdirSync(path.join(wasmDir, 'dist')).filter((f) => f.endsWith('.wasm'))) {
  fs.copyFileSync(path.join(wasmDir, 'dist', file), path.join(out, 'tfjs-wasm', file));
}
console.log(`web assets written to ${path.relative(repo, out)}/`);
