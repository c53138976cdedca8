import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { withoutKernelNote } from '../testing/kernelNote.ts';
import { prepareNewRun, settleReplacedRun } from './runDir.ts';

const exec = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const small = ['--iterations', '4', '--members', '8', '--validation-members', '8', '--validate-every', '2', '--horizon', '20', '--unroll', '10', '--checkpoint-every', '1'];

async function train(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await exec('node', ['bin/l2l.js', 'train', ...args], { cwd: repo });
    return { code: 0, stderr: withoutKernelNote(stderr) };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: withoutKernelNote(e.stderr) };
  }
}

describe('train --out on a directory that holds a run', () => {
  it('refuses without --force; --force killed with SIGKILL before its first checkpoint loses nothing; a finished --force replaces the run', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-rundir-')), 'run');
    assert.equal((await train(['--out', dir, ...small, '--seed', '1'])).code, 0);
    const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
    const old = { optimizer: read('optimizer.json'), log: read('log.jsonl'), checkpoint: read('checkpoint.json') };

    const refused = await train(['--out', dir, ...small, '--seed', '2']);
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr.trim(), `l2l: '${dir}' already holds a run (optimizer.json, log.jsonl, checkpoint.json): continue it with --resume ${dir}, replace it with --force, or choose another --out`);
    assert.equal(read('optimizer.json'), old.optimizer);

    // A long run with no checkpoint for a while: killed as soon as it has started writing.
    const child = spawn('node', ['bin/l2l.js', 'train', '--out', dir, '--force', ...small, '--iterations', '1000', '--checkpoint-every', '1000', '--seed', '2'], { cwd: repo, stdio: 'ignore' });
    const aside = path.join(dir, 'previous-run');
    const started = () => fs.existsSync(aside) && fs.existsSync(path.join(dir, 'log.jsonl'));
    while (!started()) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(fs.readFileSync(path.join(aside, 'optimizer.json'), 'utf8'), old.optimizer);
    assert.equal(fs.readFileSync(path.join(aside, 'checkpoint.json'), 'utf8'), old.checkpoint);
    assert.ok(!fs.existsSync(path.join(dir, 'checkpoint.json')), 'killed before its first checkpoint');

    // The next train on the directory puts the old run back, then refuses as before.
    const after = await train(['--out', dir, ...small, '--seed', '2']);
    assert.equal(after.code, 2);
    assert.match(after.stderr, new RegExp(`note: restored the run in ${dir} that an interrupted --force was replacing`));
    assert.deepEqual({ optimizer: read('optimizer.json'), log: read('log.jsonl'), checkpoint: read('checkpoint.json') }, old);
    assert.ok(!fs.existsSync(aside));

    // A --force that writes its first checkpoint deletes the old run.
    assert.equal((await train(['--out', dir, '--force', ...small, '--seed', '2'])).code, 0);
    assert.ok(!fs.existsSync(aside));
    assert.notEqual(read('optimizer.json'), old.optimizer);
    assert.match(read('log.jsonl'), /"seed":2/);
  });

  it('a --force killed while it moves the old files aside: the next train moves them back', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-rundir-'));
    fs.writeFileSync(path.join(dir, 'optimizer.json'), 'old optimizer');
    fs.writeFileSync(path.join(dir, 'log.jsonl'), 'old log');
    // As prepareNewRun leaves it when killed after moving one of the two files.
    fs.mkdirSync(path.join(dir, 'previous-run.partial'));
    fs.renameSync(path.join(dir, 'log.jsonl'), path.join(dir, 'previous-run.partial', 'log.jsonl'));
    assert.match(settleReplacedRun(dir)!, /restored the run .* that an interrupted --force was setting aside/);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['log.jsonl', 'optimizer.json']);
    assert.equal(fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8'), 'old log');
    assert.equal(settleReplacedRun(dir), null);
    prepareNewRun(dir, true);
    assert.deepEqual(fs.readdirSync(dir), ['previous-run']);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'previous-run')).sort(), ['log.jsonl', 'optimizer.json']);
  });
});
