/**
 * Starts a worker thread on one of this project's modules, whether it runs from TypeScript
 * sources (tests, `tsx`) or from compiled JavaScript: from sources the worker first registers
 * the TypeScript loader, as bin/l2l.js does.
 */
import { Worker } from 'node:worker_threads';

/** Worker bootstrap for TypeScript sources: register tsx, then load the worker module. */
const TYPESCRIPT_BOOT = `
const { workerData } = require('node:worker_threads');
import(workerData.tsx).then(({ register }) => { register(); return import(workerData.entry); });
`;

/**
 * A worker running the module `name` (without extension) next to `base` (an `import.meta.url`),
 * with `data` as its `workerData` (plus `entry` and `tsx`); the worker does not keep Node alive.
 */
export function startWorker(base: string, name: string, data: Record<string, unknown>, transferList: Transferable[] = []): Worker {
  const typescript = base.endsWith('.ts');
  const entry = new URL(`./${name}.${typescript ? 'ts' : 'js'}`, base);
  const workerData = { ...data, entry: entry.href, tsx: typescript ? import.meta.resolve('tsx/esm/api') : undefined };
  const worker = typescript
    ? new Worker(TYPESCRIPT_BOOT, { eval: true, workerData, transferList: transferList as never })
    : new Worker(entry, { workerData, transferList: transferList as never });
  worker.unref();
  return worker;
}
