import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../random/rng.ts';
import { baseLogRate, initMetaParams, metaParamCount, metaParamViews, PAPER_LSTM, type LstmConfig } from './lstmConfig.ts';

describe('initMetaParams', () => {
  it('draws the paper LSTM: weights N(0, 1/fan_in), biases 0, forget biases as configured', () => {
    const phi = initMetaParams(PAPER_LSTM, new Rng(1));
    assert.equal(phi.length, metaParamCount(PAPER_LSTM));
    const views = new Map(metaParamViews(PAPER_LSTM, phi).map(([name, , view]) => [name, view]));
    assert.ok(views.get('lstm0.f.b')!.every((v) => v === PAPER_LSTM.forgetBias));
    assert.ok(views.get('lstm0.i.b')!.every((v) => v === 0));
    // lstm1's gates read 20 inputs and 20 recurrent units: standard deviation 1/√40.
    const w = views.get('lstm1.i.wx')!;
    const sd = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    assert.ok(Math.abs(sd - 1 / Math.sqrt(40)) < 0.03, `sd ${sd}`);
    assert.ok(views.get('head.w')!.some((v) => v !== 0), 'without a base step the head is drawn');
  });

  it('with a base step whose rate is learned: the head at zero and β = 0, so it starts as its base step', () => {
    const config: LstmConfig = { ...PAPER_LSTM, base: { optimizer: 'nag', learningRate: 1, learnRate: true } };
    const phi = initMetaParams(config, new Rng(1));
    assert.equal(phi.length, metaParamCount(PAPER_LSTM) + 1);
    const views = new Map(metaParamViews(config, phi).map(([name, , view]) => [name, view]));
    assert.ok(views.get('head.w')!.every((v) => v === 0) && views.get('head.b')!.every((v) => v === 0));
    assert.equal(baseLogRate(config, phi), 0);
    assert.ok(views.get('lstm0.i.wx')!.some((v) => v !== 0));
  });
});
