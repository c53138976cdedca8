/** Writes files atomically: to a temporary file beside the target, then a rename. */
import fs from 'node:fs';
import path from 'node:path';

/** Writes `data` to `file` so that readers see either the old file or the whole new one. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}
