/** Output-directory checks done before any work starts. */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../io/userError.ts';

/** Creates `dir` if needed and checks that files can be written in it. */
export function ensureWritableDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const probe = path.join(dir, `.write-test-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch {
    throw new UserError(`cannot write to output directory '${dir}': choose another --out or fix its permissions`);
  }
}
