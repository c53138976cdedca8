#!/usr/bin/env node
// The l2l command. Installed from npm it runs the compiled JavaScript in dist/; in a clone of the
// repository (the TypeScript sources beside tsconfig.json) it runs the sources through tsx.
import fs from 'node:fs';

const fromSources = fs.existsSync(new URL('../tsconfig.json', import.meta.url));
let main;
if (fromSources) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
} else {
  ({ main } = await import('../dist/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
