/**
 * The engines tests run on, so that every engine is checked by the same tests (no process-wide
 * switches): TensorFlow.js; TensorFlow.js with its rows split with a worker thread (from 2 rows
 * on, so small test problems are split too); and the native kernels. Without the addon the
 * native engine's tests are skipped with the reason in the output — or, where the project
 * requires the addon (`L2L_REQUIRE_NATIVE=1`, as in CI), they fail.
 */
import * as tf from '@tensorflow/tfjs';
import type { Engine } from '../engine/engine.ts';
import { tryLoadAddon } from '../engine/native/addon.ts';
import { nativeEngine } from '../engine/native/nativeEngine.ts';
import { tfjsEngine } from '../engine/tfjs/tfjsEngine.ts';
import { withWorkerThreads } from '../engine/workers/shardedLstm.ts';

/** The name of a test engine. */
export type TestEngineName = 'tfjs' | 'tfjs + worker thread' | 'native';

const addon = tryLoadAddon();

/** Why the native engine's tests cannot run here, or false when they can. */
export const NATIVE_SKIP: string | false = addon.addon
  ? false
  : process.env.L2L_REQUIRE_NATIVE === '1'
    ? false // the tests then fail on the missing addon, as they must
    : `native engine not built: ${addon.reason}`;

/** Each test engine's name and skip reason (false: it runs). */
export function engineCases(names: TestEngineName[] = ['tfjs', 'tfjs + worker thread', 'native']): Array<{ name: TestEngineName; skip: string | false }> {
  return names.map((name) => ({ name, skip: name === 'native' ? NATIVE_SKIP : false }));
}

/** Builds a test engine (after the backend started); `close` it when done. `threads`: the native kernel's. */
export function makeTestEngine(name: TestEngineName, threads = 2): Engine {
  if (name === 'native') {
    if (!addon.addon) throw new Error(`the native addon is required here (L2L_REQUIRE_NATIVE=1) but did not load: ${addon.reason}`);
    return nativeEngine(addon.addon, threads);
  }
  return name === 'tfjs' ? tfjsEngine() : withWorkerThreads(tfjsEngine(), 1, tf.getBackend(), 2);
}
