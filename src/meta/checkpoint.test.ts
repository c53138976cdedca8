import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { metaParamShapes, type LstmConfig } from '../learned/lstmConfig.ts';
import { QuadraticFamily } from '../tasks/quadratic.ts';
import { sizeOfShape } from '../tasks/task.ts';
import { makeTestEngine, NATIVE_SKIP } from '../testing/engines.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { fromCheckpoint, toCheckpoint } from './checkpoint.ts';
import { metaTrain, type MetaTrainConfig } from './metaTrain.ts';

/** A version-1 checkpoint written by version 0.2.0 mid-run, with that run's configuration and result. */
const fixture = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'checkpoint-v1.json'), 'utf8'));
const config = fixture.config as MetaTrainConfig & { family: { dims: number; variant: 'paper' } };
const sizes = metaParamShapes(config.lstm as LstmConfig).map(([, shape]) => sizeOfShape(shape));

describe('meta-training checkpoints', () => {
  before(setupBackend);

  it('version 1 (one list per φ tensor) loads as flat vectors, with its counts', () => {
    const v1 = fixture.checkpoint;
    const state = fromCheckpoint(v1, sizes);
    assert.equal(state.iteration, 2);
    assert.deepEqual(Array.from(state.phi), v1.phi.flat().map(Math.fround));
    assert.deepEqual(Array.from(state.metaState.inner[1].m), v1.metaState.slots.m.flat().map(Math.fround));
    assert.deepEqual(Array.from(state.metaState.inner[1].v), v1.metaState.slots.v.flat().map(Math.fround));
    assert.equal(state.metaState.inner[1].count, v1.metaState.count);
    assert.deepEqual(Array.from(state.best.phi), v1.best.phi.flat().map(Math.fround));
    assert.equal(state.metaState.notFinite, v1.faults);
    assert.equal(state.collapses, v1.collapses);
  });

  it('version 2 round-trips through JSON exactly, and a wrong size or format is refused', () => {
    const state = fromCheckpoint(fixture.checkpoint, sizes);
    const again = fromCheckpoint(JSON.parse(JSON.stringify(toCheckpoint(state))), sizes);
    assert.deepEqual(again, state);
    assert.equal(toCheckpoint(state).version, 2);
    assert.throws(() => fromCheckpoint(toCheckpoint(state), sizes.map((s) => s + 1)), /checkpoint phi must hold \d+ finite numbers/);
    assert.throws(() => fromCheckpoint({ ...toCheckpoint(state), version: 3 }, sizes), /not a version-1 or version-2 meta-training checkpoint/);
  });

  it("resuming the version-1 checkpoint ends where version 0.2.0's uninterrupted run ended (the same best φ, up to rounding)", { skip: NATIVE_SKIP }, async () => {
    const engine = makeTestEngine('native');
    const family = new QuadraticFamily(config.family);
    const result = await metaTrain(engine, family, config, { resume: fixture.checkpoint });
    assert.equal(result.bestIteration, fixture.final.bestIteration);
    assertClose([result.bestValidationLoss], [fixture.final.bestValidationLoss], { rtol: 1e-5 });
    assertClose(result.best, fixture.final.best.flat(), { rtol: 1e-4, atol: 1e-6, label: 'best φ' });
  });
});
