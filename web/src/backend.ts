/**
 * Picks the best TensorFlow.js backend the browser offers: WebGPU, then WebGL, then wasm, then
 * cpu (or the one named by `?backend=`). The wasm binaries are served from the app's own origin.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from '../../src/kernels/wasmKernels.ts';

/** Backends in order of preference. */
export const BROWSER_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

/** Initializes the first backend of `preferred` (default: all, best first) that works; returns its name. */
export async function useBestBackend(preferred: readonly string[] = BROWSER_BACKENDS): Promise<string> {
  setWasmPaths(new URL('generated/tfjs-wasm/', document.baseURI).href);
  // The gradients of convolutions and embeddings that TensorFlow.js's wasm backend lacks.
  registerWasmGradientKernels();
  for (const name of preferred) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        // A backend can initialize and still fail on first use (a WebGL context without float textures).
        tf.tidy(() => tf.matMul(tf.ones([2, 2]), tf.ones([2, 2])).dataSync());
        return name;
      }
    } catch (error) {
      console.warn(`backend ${name} unavailable:`, error);
    }
  }
  throw new Error(`none of the TensorFlow.js backends ${preferred.join(', ')} could start in this browser`);
}

/** The backends to try, from `?backend=name` or all of them. */
export function backendPreference(search: string): readonly string[] {
  const asked = new URLSearchParams(search).get('backend');
  return asked ? [asked] : BROWSER_BACKENDS;
}
