// The native kernels under AddressSanitizer and UndefinedBehaviorSanitizer: builds the addon with
// them (native/buildSanitized.mjs, into a temporary folder) and runs the tests that call it —
// the argument checks and their seeded random-argument run, the kernels against TensorFlow.js,
// the meta-gradient — in a Node process with the sanitizer runtime preloaded. Any read or write
// outside a buffer, or undefined behaviour, aborts that process with a report.
// Needs g++ with libasan (skipped otherwise, unless L2L_REQUIRE_NATIVE=1 requires it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

const repo = path.resolve(import.meta.dirname, '..', '..', '..');
const TESTS = ['src/engine/native/addonArgs.test.ts', 'src/engine/native/nativeEngine.test.ts', 'src/meta/truncation.test.ts'];

function asanRuntime(): string | null {
  const found = spawnSync('g++', ['-print-file-name=libasan.so'], { encoding: 'utf8' });
  const file = found.status === 0 ? found.stdout.trim() : '';
  return path.isAbsolute(file) && fs.existsSync(file) ? file : null;
}

const runtime = asanRuntime();
/** The normal build: where npm ci could not compile the addon (no headers, no compiler), neither can this test. */
const built = fs.existsSync(path.resolve(repo, 'build/Release/lstm_kernel.node'));
const skip =
  process.env.L2L_REQUIRE_NATIVE === '1'
    ? false
    : !built
      ? 'the native addon is not built here (npm ci could not compile it)'
      : runtime
        ? false
        : 'g++ with AddressSanitizer (libasan) is not installed';

describe('native kernels under AddressSanitizer and UBSan', () => {
  it('build and pass the addon tests with no report', { skip, timeout: 600_000 }, () => {
    assert.ok(runtime, 'g++ -print-file-name=libasan.so names no file: install g++ (Debian: apt-get install g++)');
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-sanitize-'));
    try {
      const build = spawnSync(process.execPath, [path.join(repo, 'native', 'buildSanitized.mjs'), out], { cwd: repo, encoding: 'utf8' });
      assert.equal(build.status, 0, `sanitized build failed: ${build.stderr}`);
      const addon = build.stdout.trim().split('\n').pop()!;
      const env = {
        ...process.env,
        L2L_ADDON: addon,
        L2L_REQUIRE_NATIVE: '1',
        LD_PRELOAD: runtime!,
        // Node's own allocations are never freed at exit: leaks are not what this run looks for.
        ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1',
        UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
        NODE_TEST_CONTEXT: undefined,
      };
      // The tests load the addon that L2L_ADDON names, and the sanitizer runtime is in the process.
      const probe = "import { loadAddon } from './src/engine/native/addon.ts'; loadAddon(); const maps = (await import('node:fs')).readFileSync('/proc/self/maps', 'utf8'); console.log(maps.includes(process.env.L2L_ADDON), maps.includes('libasan'));";
      const loaded = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { cwd: repo, env, encoding: 'utf8' });
      assert.equal(loaded.stdout.trim(), 'true true', `the sanitized addon was not the one loaded: ${loaded.stderr}`);
      const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...TESTS], { cwd: repo, env, encoding: 'utf8', maxBuffer: 64 << 20 });
      const output = `${run.stdout}\n${run.stderr}`;
      const report = output.split('\n').filter((l) => /AddressSanitizer|runtime error|SUMMARY:/.test(l));
      assert.deepEqual(report, [], `sanitizer report:\n${report.join('\n')}`);
      assert.equal(run.status, 0, `the tests failed under the sanitizers:\n${output.slice(-4000)}`);
      assert.match(output, /ℹ fail 0/);
      assert.doesNotMatch(output, /ℹ skipped [1-9]/, 'a native test was skipped under the sanitized build');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
