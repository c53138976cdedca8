// Builds the native kernels with AddressSanitizer and UndefinedBehaviorSanitizer into a folder of
// their own (default: build-sanitize/, beside build/), leaving the normal build untouched, and
// prints the addon's path. Same sources and math flags as binding.gyp; -O1 -g for readable
// reports, and any finding aborts the process (-fno-sanitize-recover=all).
// Load it with L2L_ADDON=<path> and the sanitizer runtime preloaded, as
// src/native/sanitizer.test.ts does (Node itself is not instrumented).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(process.argv[2] ?? path.join(root, 'build-sanitize'));
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, 'native'), { recursive: true });
for (const file of fs.readdirSync(path.join(root, 'native'))) {
  if (/\.(cc|h)$/.test(file)) fs.copyFileSync(path.join(root, 'native', file), path.join(out, 'native', file));
}
const gyp = JSON.parse(fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8'));
const target = gyp.targets[0];
const sanitize = ['-fsanitize=address,undefined,float-cast-overflow', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer', '-g'];
target.cflags_cc = target.cflags_cc.filter((f) => !/^-O/.test(f)).concat(['-O1', ...sanitize]);
target.ldflags = (target.ldflags ?? []).concat(['-fsanitize=address,undefined']);
fs.writeFileSync(path.join(out, 'binding.gyp'), JSON.stringify(gyp, null, 2));

const nodeGyp = process.env.npm_config_node_gyp ?? path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
// npm hands its settings (nodedir: where Node's headers are) to the scripts it runs; run directly,
// ask it for them.
const nodedir = process.env.npm_config_nodedir ?? spawnSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8' }).stdout?.trim();
const args = [nodeGyp, 'rebuild', ...(nodedir && nodedir !== 'undefined' ? [`--nodedir=${nodedir}`] : [])];
const build = spawnSync(process.execPath, args, { cwd: out, encoding: 'utf8' });
if (build.status !== 0) {
  process.stderr.write(`l2l: the sanitized build failed:\n${(build.stderr || build.stdout || String(build.error)).trim().split('\n').slice(-12).join('\n')}\n`);
  process.exit(1);
}
console.log(path.join(out, 'build', 'Release', 'lstm_kernel.node'));
