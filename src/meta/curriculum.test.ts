import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { selectEngine } from '../engine/select.ts';
import { PAPER_LSTM } from '../learned/lstmConfig.ts';
import { QuadraticFamily } from '../tasks/quadratic.ts';
import { setupBackend } from '../testing/setup.ts';
import { curriculumStages, nextStage, noteValidation, startCurriculum } from './curriculum.ts';
import { defaultMetaTrainConfig, metaTrain, type IterationInfo, type ValidationInfo } from './metaTrain.ts';

describe('curriculum over the horizon', () => {
  it('validates each stage on the next one\'s horizon, the last on its own', () => {
    assert.deepEqual(curriculumStages([100, 200, 500]), [
      { horizon: 100, validationHorizon: 200 },
      { horizon: 200, validationHorizon: 500 },
      { horizon: 500, validationHorizon: 500 },
    ]);
  });

  it('ends a stage after `patience` validations without a better one, and records each stage', () => {
    const stages = curriculumStages([10, 20]);
    const state = startCurriculum(stages);
    // Validations: best, worse, better (resets the count), worse, worse → the stage ends (patience 2).
    const verdicts = [[true, 1.0, 0], [false, 1.1, 5], [true, 0.9, 10], [false, 0.95, 15], [false, 0.92, 20]].map(([improved, loss, it]) => noteValidation(state, improved as boolean, loss as number, it as number, 2));
    assert.deepEqual(verdicts, ['continue', 'continue', 'continue', 'continue', 'next']);
    assert.equal(nextStage(state, stages, 20), true);
    assert.deepEqual(state.history[0], { horizon: 10, validationHorizon: 20, startIteration: 0, endIteration: 20, bestLoss: 0.9, bestIteration: 10 });
    assert.equal(state.stage, 1);
    assert.equal(nextStage(state, stages, 30), false, 'no stage after the last');
    assert.equal(state.history[1].endIteration, 30);
  });

  it('meta-training follows the stages: iterations on each stage\'s horizon, validations on the next one\'s, and stops after the last', async () => {
    await setupBackend();
    const config = defaultMetaTrainConfig({
      lstm: PAPER_LSTM, iterations: 200, membersPerTask: 8, unrollLength: 5, validateEvery: 2, validationMembers: 8, seed: 3,
      curriculum: [10, 20, 30], patience: 2,
    });
    const iterations: IterationInfo[] = [];
    const validations: ValidationInfo[] = [];
    const result = await metaTrain(selectEngine(), new QuadraticFamily({ dims: 3, variant: 'paper' }), config, {
      onIteration: (i) => iterations.push(i),
      onValidation: (v) => validations.push(v),
    });
    const stages = result.stages!;
    assert.equal(stages.length, 3, 'every stage ran');
    assert.ok(result.iterationsDone < 200, `stopped after the last stage (${result.iterationsDone} iterations)`);
    stages.forEach((stage, k) => {
      const ran = iterations.filter((i) => i.iteration > stage.startIteration && i.iteration <= stage.endIteration!);
      assert.ok(ran.length > 0 && ran.every((i) => i.horizon === [10, 20, 30][k]), `stage ${k} trains on ${[10, 20, 30][k]} steps`);
      const judged = validations.filter((v) => v.iteration >= stage.startIteration && v.iteration <= stage.endIteration! && v.horizon === stage.validationHorizon);
      assert.ok(judged.length >= 2, `stage ${k} is validated on ${stage.validationHorizon} steps`);
    });
    // The result is the last stage's best, at its horizon.
    assert.equal(result.bestValidationLoss, stages[2].bestLoss);
    // A stage's first validation judges the previous stage's best φ, and names the iteration that φ was trained to.
    stages.slice(1).forEach((stage, k) => {
      // The previous stage's last validation is at the same iteration: the stage's own comes after it.
      const first = validations.filter((v) => v.iteration === stage.startIteration).at(-1)!;
      assert.equal(first.trainedTo, stages[k].bestIteration, `stage ${k + 1} starts from stage ${k}'s best φ`);
      assert.ok(stages[k].bestIteration! < stage.startIteration, 'an earlier iteration than the stage start');
    });
    const firsts = new Set(stages.slice(1).map((stage) => stage.startIteration));
    assert.ok(validations.every((v) => firsts.has(v.iteration) || v.trainedTo === v.iteration), 'every other validation judges the φ of its own iteration');
    assert.equal(result.bestIteration, stages[2].bestIteration);
  });

  it("with --select-by last every validated φ is kept: patience never ends the run and the result is the last iteration's φ", async () => {
    await setupBackend();
    // With 'final' in its place, patience 1 ends this run at iteration 6, whose validation is worse than iteration 4's.
    const config = defaultMetaTrainConfig({
      lstm: PAPER_LSTM, iterations: 8, membersPerTask: 8, horizon: 10, unrollLength: 5, validateEvery: 2, validationMembers: 8, seed: 6,
      patience: 1, selectBy: 'last', metaLearningRate: 0.05,
    });
    const validations: ValidationInfo[] = [];
    let lastPhi: number[] = [];
    const result = await metaTrain(selectEngine(), new QuadraticFamily({ dims: 3, variant: 'paper' }), config, {
      onValidation: (v) => validations.push(v),
      onCheckpoint: (c) => { lastPhi = c.phi; },
    });
    assert.equal(result.iterationsDone, 8, 'patience 1 did not end the run');
    assert.deepEqual(validations.map((v) => v.iteration), [0, 2, 4, 6, 8]);
    assert.ok(validations.every((v) => v.isBest && !v.collapsed), 'every validation keeps its φ');
    assert.deepEqual(Array.from(result.best), lastPhi.map(Math.fround));
    assert.equal(result.bestIteration, 8);
  });

  it('a run stopped mid-curriculum and resumed from its checkpoint ends with the uninterrupted run\'s φ', async () => {
    await setupBackend();
    const config = defaultMetaTrainConfig({
      lstm: PAPER_LSTM, iterations: 16, membersPerTask: 8, unrollLength: 5, validateEvery: 2, validationMembers: 8, seed: 4,
      curriculum: [10, 20], patience: 1,
    });
    const family = new QuadraticFamily({ dims: 3, variant: 'paper' });
    const whole = await metaTrain(selectEngine(), family, config);
    let saved: unknown;
    let stageAtStop = -1;
    const first = await metaTrain(selectEngine(), family, config, {
      checkpointEvery: 1,
      onCheckpoint: (c) => {
        saved = JSON.parse(JSON.stringify(c));
        stageAtStop = c.curriculum!.stage;
      },
      shouldStop: () => stageAtStop === 1,
    });
    assert.ok(first.stopped && stageAtStop === 1, 'stopped in the second stage');
    const resumed = await metaTrain(selectEngine(), family, config, { resume: saved });
    assert.deepEqual(resumed.best, whole.best);
    assert.deepEqual(resumed.stages, whole.stages);
  });
});
