/**
 * A run directory's files (`l2l train` writes optimizer.json, log.jsonl and checkpoint.json) and
 * how `--force` replaces a finished run without losing it on a crash: the old files are moved
 * into DIR/previous-run/ and deleted only once the new run has written its first checkpoint. A
 * run that dies before that leaves previous-run/ behind, and the next `train` on DIR puts the old
 * run back first. The files are moved through previous-run.partial/, renamed to previous-run/ in
 * one step, so that a crash while they are being moved is told apart from one after.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../io/userError.ts';

/** The files of a run, as `l2l train` writes them. */
export const RUN_FILES = ['optimizer.json', 'log.jsonl', 'checkpoint.json'] as const;

/** Where `--force` keeps the replaced run until the new one's first checkpoint. */
export const PREVIOUS_RUN = 'previous-run';
const PARTIAL = `${PREVIOUS_RUN}.partial`;

/** The run files present in `dir` (none when it does not exist). */
export function runFilesIn(dir: string): string[] {
  return RUN_FILES.filter((f) => fs.existsSync(path.join(dir, f)));
}

/**
 * Settles a `--force` that did not finish: with DIR/previous-run/ present, a new run that wrote no
 * checkpoint is dropped and the previous run moved back; one that did keeps DIR, and the previous
 * run is deleted. Returns a note for the user, or null when there was nothing to settle.
 */
export function settleReplacedRun(dir: string): string | null {
  const partial = path.join(dir, PARTIAL);
  if (fs.existsSync(partial)) {
    // Killed while setting the old run aside: the new run never started, DIR holds only old files.
    for (const f of fs.readdirSync(partial)) fs.renameSync(path.join(partial, f), path.join(dir, f));
    fs.rmSync(partial, { recursive: true, force: true });
    return `note: restored the run in ${dir} that an interrupted --force was setting aside`;
  }
  const aside = path.join(dir, PREVIOUS_RUN);
  if (!fs.existsSync(aside)) return null;
  if (fs.existsSync(path.join(dir, 'checkpoint.json'))) {
    fs.rmSync(aside, { recursive: true, force: true });
    return `note: deleted ${aside} (the run that replaced it had written its checkpoint)`;
  }
  for (const f of RUN_FILES) fs.rmSync(path.join(dir, f), { force: true });
  for (const f of RUN_FILES) {
    if (fs.existsSync(path.join(aside, f))) fs.renameSync(path.join(aside, f), path.join(dir, f));
  }
  fs.rmSync(aside, { recursive: true, force: true });
  return `note: restored the run in ${dir} that an interrupted --force was replacing`;
}

/**
 * Makes `dir` ready for a new run: refuses a directory that holds one unless `force`, which moves
 * the old run's files into DIR/previous-run/ (see `dropReplacedRun`).
 */
export function prepareNewRun(dir: string, force: boolean): void {
  const found = runFilesIn(dir);
  if (found.length === 0) return;
  if (!force) {
    throw new UserError(`'${dir}' already holds a run (${found.join(', ')}): continue it with --resume ${dir}, replace it with --force, or choose another --out`);
  }
  const partial = path.join(dir, PARTIAL);
  fs.mkdirSync(partial);
  for (const f of found) fs.renameSync(path.join(dir, f), path.join(partial, f));
  fs.renameSync(partial, path.join(dir, PREVIOUS_RUN));
}

/** Deletes the run that `--force` set aside, once the new run has a checkpoint. */
export function dropReplacedRun(dir: string): void {
  fs.rmSync(path.join(dir, PREVIOUS_RUN), { recursive: true, force: true });
}
