import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const small = ['--iterations', '8', '--members', '8', '--validation-members', '8', '--validate-every', '2', '--horizon', '20', '--unroll', '10', '--checkpoint-every', '1', '--seed', '3'];

/** optimizer.json without the fields that name when and how it was written. */
function optimizerWithoutTimestamps(dir: string): unknown {
  const doc = JSON.parse(fs.readFileSync(path.join(dir, 'optimizer.json'), 'utf8'));
  delete doc.provenance.createdAt;
  delete doc.provenance.command;
  return doc;
}

describe('kill and resume', () => {
  it('a run killed with SIGKILL and resumed ends with exactly the optimizer of an uninterrupted run', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-resume-'));
    const whole = path.join(tmp, 'whole');
    const killed = path.join(tmp, 'killed');
    await run('node', ['bin/l2l.js', 'train', '--out', whole, ...small], { cwd: repo });

    const child = spawn('node', ['bin/l2l.js', 'train', '--out', killed, ...small], { cwd: repo, stdio: 'ignore' });
    const log = path.join(killed, 'log.jsonl');
    const iterations = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('"type":"iteration"')).length : 0);
    while (iterations() < 3) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    const checkpoint = JSON.parse(fs.readFileSync(path.join(killed, 'checkpoint.json'), 'utf8'));
    assert.ok(checkpoint.iteration >= 2 && checkpoint.iteration < 8, `killed mid-run (checkpoint at ${checkpoint.iteration})`);

    const { stderr } = await run('node', ['bin/l2l.js', 'train', '--resume', killed], { cwd: repo });
    assert.match(stderr, new RegExp(`resuming .* at iteration ${checkpoint.iteration}`));
    assert.deepEqual(optimizerWithoutTimestamps(killed), optimizerWithoutTimestamps(whole));
    // The log holds each iteration once, as if the run had never stopped.
    const lines = (dir: string) => fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const losses = (dir: string) => lines(dir).filter((e) => e.type === 'iteration').map((e) => [e.iteration, e.metaLoss]);
    assert.deepEqual(losses(killed), losses(whole));
  });
});
