// Builds the native kernels (native/lstm_*.cc, native/mlp_kernel.cc: one addon) with npm's own node-gyp; npm runs this on
// install. Without a C++ toolchain the project still works: the LSTM then runs on TensorFlow.js,
// which is slower. L2L_REQUIRE_NATIVE=1 makes a failed build an error (CI sets it).
import { spawnSync } from 'node:child_process';

const required = process.env.L2L_REQUIRE_NATIVE === '1';
const nodeGyp = process.env.npm_config_node_gyp;
const command = nodeGyp ? [process.execPath, [nodeGyp, 'rebuild']] : ['node-gyp', ['rebuild']];
const build = spawnSync(command[0], command[1], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
if (build.status === 0) {
  console.log('l2l: built the native kernels (build/Release/lstm_kernel.node)');
} else {
  const why = build.error ? build.error.message : (build.stderr || '').trim().split('\n').slice(-8).join('\n');
  console.warn(`l2l: could not build the native kernels; everything will run on TensorFlow.js (slower).\n${why}`);
  if (required) process.exit(1);
}
