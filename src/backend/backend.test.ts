import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

const backendModule = pathToFileURL(path.join(import.meta.dirname, 'backend.ts')).href;

/** Runs `body` as an ES module after `initBackend(backend)` in a fresh Node process. */
function runAfterInit(backend: string, body: string) {
  const script = `import { initBackend } from ${JSON.stringify(backendModule)};\nawait initBackend(${JSON.stringify(backend)});\n${body}`;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, L2L_KERNEL: 'tfjs' } });
}

describe('initBackend', () => {
  for (const backend of ['wasm', 'cpu']) {
    it(`leaves a user's uncaught error to Node (${backend}): the user's message, exit code 1, no backend source`, () => {
      const thrown = runAfterInit(backend, "throw new Error('my own bug');");
      assert.equal(thrown.status, 1, thrown.stderr.slice(0, 500));
      assert.match(thrown.stderr, /Error: my own bug/);
      assert.ok(thrown.stderr.length < 2000, `stderr is ${thrown.stderr.length} characters, starting ${thrown.stderr.slice(0, 200)}`);
      assert.doesNotMatch(thrown.stderr, /WasmBackendModule|tfjs-backend-wasm/);

      const rejected = runAfterInit(backend, "Promise.reject(new Error('my own rejection'));");
      assert.equal(rejected.status, 1, rejected.stderr.slice(0, 500));
      assert.match(rejected.stderr, /Error: my own rejection/);
      assert.ok(rejected.stderr.length < 2000, `stderr is ${rejected.stderr.length} characters`);
    });
  }

  it('keeps the user\'s own handlers and runs TensorFlow.js afterwards', () => {
    const out = runAfterInit(
      'wasm',
      "process.on('uncaughtException', (e) => { console.log('handled ' + e.message); });\n" +
        "const tf = await import('@tensorflow/tfjs');\nconsole.log(tf.getBackend(), tf.tensor([1, 2, 3]).sum().dataSync()[0]);\nsetTimeout(() => { throw new Error('late'); }, 0);",
    );
    assert.equal(out.status, 0, out.stderr.slice(0, 500));
    assert.deepEqual(out.stdout.trim().split('\n'), ['wasm 6', 'handled late']);
  });
});
