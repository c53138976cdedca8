/** Test helpers: backend start-up and numeric assertions. */
import assert from 'node:assert/strict';
import { initBackend } from '../backend/backend.ts';

/** Starts the backend tests run on (L2L_BACKEND, default wasm). */
export async function setupBackend(): Promise<void> {
  await initBackend(process.env.L2L_BACKEND ?? 'wasm');
}

/** Asserts |actual − expected| ≤ atol + rtol·|expected| elementwise. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { rtol = 1e-5, atol = 1e-6, label = '' } = {},
): void {
  assert.equal(actual.length, expected.length, `${label} length`);
  for (let i = 0; i < expected.length; i++) {
    const tolerance = atol + rtol * Math.abs(expected[i]);
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tolerance,
      `${label}[${i}]: got ${actual[i]}, expected ${expected[i]} (±${tolerance})`,
    );
  }
}
