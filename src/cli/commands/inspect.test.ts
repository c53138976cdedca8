import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { metaParamCount, metaParamViews, type LstmConfig } from '../../learned/lstmConfig.ts';
import { toOptimizerFile, type Provenance } from '../../learned/optimizerFile.ts';
import { inspectOptimizer, trainedTo } from './inspect.ts';

describe('l2l inspect', () => {
  it('prints the LSTM, its largest step worked out from the head, and the command that trained it', () => {
    const config: LstmConfig = { hidden: [20, 20], inputs: 'adam', preprocessP: 10, outputScale: 0.03, forgetBias: 1, paramInput: true };
    const phi = new Float32Array(metaParamCount(config));
    // Head weights 0.25 on each of the 20 units and bias −0.5: range 20·0.25 + 0.5 = 5.5, step 0.03·5.5 = 0.165.
    for (const [name, , view] of metaParamViews(config, phi)) {
      if (name === 'head.w') view.fill(0.25);
      if (name === 'head.b') view.fill(-0.5);
    }
    const provenance = { command: 'l2l train --task quadratic --seed 7', seed: 7, iterations: 120, validationLoss: 0.123456, packageVersion: '9.9.9' } as Provenance;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-inspect-')), 'optimizer.json');
    fs.writeFileSync(file, JSON.stringify(toOptimizerFile(config, phi, provenance)));
    assert.equal(
      inspectOptimizer(file),
      [
        file,
        `  LSTM: 2 layers of 20 units, inputs 'adam' and log|θ|, output scale 0.03; ${metaParamCount(config).toLocaleString('en-US')} weights`,
        '  largest step per coordinate: 0.165 (output scale 0.03 × head range 5.5)',
        '  trained by: l2l train --task quadratic --seed 7',
        '  seed 7; saved at meta-iteration 120; validation loss 0.1235; l2l 9.9.9',
      ].join('\n'),
    );
  });

  it("names the iteration the φ was trained to, read from a curriculum's stages", () => {
    const stage = (startIteration: number, endIteration: number | null, bestIteration: number) => ({ horizon: 100, validationHorizon: 200, startIteration, endIteration, bestLoss: 0.5, bestIteration });
    // l2l 0.3 recorded the kept φ of stage 1 under the stage's start (380); it was trained to 280.
    assert.equal(trainedTo({ iterations: 380, bestIteration: 380, stages: [stage(0, 380, 280), stage(380, null, 380)] }), 280);
    // Later files record 280 themselves.
    assert.equal(trainedTo({ iterations: 380, bestIteration: 280, stages: [stage(0, 380, 280), stage(380, null, 280)] }), 280);
    // A second stage that improved names its own iteration.
    assert.equal(trainedTo({ iterations: 440, bestIteration: 440, stages: [stage(0, 380, 280), stage(380, null, 440)] }), 440);
    // The first stage's first validation is the drawn φ, at iteration 0.
    assert.equal(trainedTo({ iterations: 0, bestIteration: 0, stages: [stage(0, null, 0)] }), 0);
    assert.equal(trainedTo({ iterations: 150, bestIteration: 150 }), 150);
    assert.equal(trainedTo({ iterations: 150 }), undefined);
  });
});
