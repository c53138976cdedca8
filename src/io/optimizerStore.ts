/** Reads and writes learned-optimizer files on disk (Node only). */
import fs from 'node:fs';
import { fromOptimizerFile, toOptimizerFile, type Provenance } from '../learned/optimizerFile.ts';
import type { LstmConfig } from '../learned/lstmConfig.ts';
import { writeFileAtomic } from './atomicWrite.ts';
import { UserError } from './userError.ts';

/** Saves φ (flat) with its config and provenance, atomically. */
export function saveOptimizer(file: string, config: LstmConfig, phi: Float32Array, provenance: Provenance): void {
  writeFileAtomic(file, JSON.stringify(toOptimizerFile(config, phi, provenance)) + '\n');
}

/** Loads and validates an optimizer file; user mistakes become a `UserError` naming the file. */
export function loadOptimizer(file: string): ReturnType<typeof fromOptimizerFile> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`cannot read optimizer file '${file}': check the path (train one with 'l2l train')`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UserError(`optimizer file '${file}' is not valid JSON: it may be truncated; train it again with 'l2l train'`);
  }
  try {
    return fromOptimizerFile(json);
  } catch (error) {
    throw new UserError(`optimizer file '${file}': ${(error as Error).message}`);
  }
}
