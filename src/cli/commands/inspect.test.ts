import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { metaParamCount, metaParamViews, type LstmConfig } from '../../learned/lstmConfig.ts';
import { toOptimizerFile, type Provenance } from '../../learned/optimizerFile.ts';
import { inspectOptimizer } from './inspect.ts';

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
});
