import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadOptimizer } from './optimizerStore.ts';
import { PRETRAINED_OPTIMIZERS, pretrainedOptimizerPath, type PretrainedName } from './pretrained.ts';

describe('pretrainedOptimizerPath', () => {
  it('names every file in pretrained/, each of which loads', () => {
    const repo = path.resolve(import.meta.dirname, '..', '..');
    const shipped = fs.readdirSync(path.join(repo, 'pretrained')).map((f) => f.replace(/\.json$/, '')).sort();
    assert.deepEqual(Object.keys(PRETRAINED_OPTIMIZERS).sort(), shipped);
    for (const name of Object.keys(PRETRAINED_OPTIMIZERS) as PretrainedName[]) {
      const file = pretrainedOptimizerPath(name);
      assert.equal(file, path.join(repo, 'pretrained', `${name}.json`));
      const { phi } = loadOptimizer(file);
      assert.ok(Object.keys(phi).length > 0, name);
      tf.dispose(Object.values(phi));
    }
  });

  it('an unknown name is an error that lists the names', () => {
    assert.throws(() => pretrainedOptimizerPath('cifar' as PretrainedName), /no shipped optimizer named 'cifar': use one of mnist, mnist-paper, mnist-paper-s1, mnist-paper-s2, mnist-paper-s3, mnist-paper-es-s1, mnist-paper-es-s2, mnist-paper-es-s3, mnist-nag-es-s1, mnist-nag-es-s2, mnist-nag-es-s3, mnist-paper-settings, mnist-log-objective, mnist-rmsprop-base, mnist-nag-base, general, general-scale, quadratic/);
  });
});
